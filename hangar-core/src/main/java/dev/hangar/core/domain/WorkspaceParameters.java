package dev.hangar.core.domain;

import dev.hangar.provider.spi.Resources;
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
 */
public record WorkspaceParameters(Resources resources, String image, String extraUserData, String devcontainer) {
    public WorkspaceParameters {
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(image, "image");
        extraUserData = extraUserData == null ? "" : extraUserData;
        devcontainer = devcontainer == null ? "" : devcontainer;
    }

    /** Parameters without a devcontainer folder. */
    public WorkspaceParameters(Resources resources, String image, String extraUserData) {
        this(resources, image, extraUserData, "");
    }
}
