package dev.hangar.core.service;

import java.util.Objects;

/**
 * A request to create a workspace, as validated at the API edge.
 *
 * @param name DNS-1123 label, unique for the owner
 * @param template template name
 * @param cpus virtual CPUs; 0 for the template's default
 * @param memoryMiB memory in MiB; 0 for the template's default
 * @param diskGiB disk in GiB; 0 for the template's default
 * @param image image name; empty for the template's image
 * @param userData a #cloud-config YAML mapping merged into the user-data; empty for none; at most
 *     {@value WorkspaceService#MAX_USER_DATA_BYTES} bytes
 */
public record CreateWorkspace(
        String name, String template, int cpus, int memoryMiB, int diskGiB, String image, String userData) {
    public CreateWorkspace {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(template, "template");
        image = image == null ? "" : image;
        userData = userData == null ? "" : userData;
    }

    /** @return a request that takes every size from the template */
    public static CreateWorkspace of(String name, String template) {
        return new CreateWorkspace(name, template, 0, 0, 0, "", "");
    }
}
