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
 */
public record WorkspaceParameters(Resources resources, String image, String extraUserData) {
    public WorkspaceParameters {
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(image, "image");
        extraUserData = extraUserData == null ? "" : extraUserData;
    }
}
