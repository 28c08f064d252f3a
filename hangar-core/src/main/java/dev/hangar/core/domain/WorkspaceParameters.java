package dev.hangar.core.domain;

import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.Resources;
import java.util.List;
import java.util.Objects;

/**
 * The sizes and image a workspace was created with, after template defaults were applied and
 * ranges checked.
 *
 * @param resources CPUs, memory in MiB, disk in GiB
 * @param image image name (VM catalog name or container image reference)
 * @param extraUserData a #cloud-config YAML mapping the user added; empty for none
 * @param devcontainer the absolute path of a folder on the server host holding a devcontainer.json
 *     that the container is built and set up from (docs/devcontainer.md); empty for none
 * @param devices the devices the workspace asks for (issue #19), within its template's ranges, at
 *     most one per name, in the template's order; empty for none. Immutable
 */
public record WorkspaceParameters(
        Resources resources, String image, String extraUserData, String devcontainer, List<DeviceRequest> devices) {
    /**
     * @throws NullPointerException if {@code resources}, {@code image} or {@code devices} is null
     * @throws IllegalArgumentException if a device name appears twice
     */
    public WorkspaceParameters {
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(image, "image");
        extraUserData = extraUserData == null ? "" : extraUserData;
        devcontainer = devcontainer == null ? "" : devcontainer;
        devices = List.copyOf(devices);
        if (devices.stream().map(DeviceRequest::name).distinct().count() != devices.size())
            throw new IllegalArgumentException("device names must be unique, got " + devices);
    }

    /** Parameters without devices. */
    public WorkspaceParameters(Resources resources, String image, String extraUserData, String devcontainer) {
        this(resources, image, extraUserData, devcontainer, List.of());
    }

    /** Parameters without a devcontainer folder. */
    public WorkspaceParameters(Resources resources, String image, String extraUserData) {
        this(resources, image, extraUserData, "");
    }
}
