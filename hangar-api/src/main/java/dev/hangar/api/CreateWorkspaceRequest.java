package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/workspaces}. Left-out (null) template is the server's default; left-out
 * sizes and image come from the template. The server validates every value (422 naming the field).
 *
 * @param name required DNS-1123 label (lower-case letters, digits, '-'; at most 63 characters)
 * @param template optional template name; left out (null) for the server's default template
 * @param cpus optional virtual CPUs, within the template's range
 * @param memoryMiB optional memory in MiB, within the template's range
 * @param diskGiB optional disk in GiB, within the template's range
 * @param image optional image name overriding the template's
 * @param userData optional #cloud-config YAML mapping merged into the user-data (at most 16 KiB)
 * @param autostop optional idle auto-stop for this workspace: {@code off} or a duration such as
 *     {@code 30m}; left out (null) for the template's setting
 * @param devcontainer optional absolute path of a folder on the server host holding
 *     .devcontainer/devcontainer.json (or .devcontainer.json); docker-provider templates only
 * @param devices optional devices, each replacing the template's default count of that device
 *     (within the template's range); left out (null) or empty for the template's defaults
 */
public record CreateWorkspaceRequest(
        String name,
        String template,
        Integer cpus,
        Integer memoryMiB,
        Integer diskGiB,
        String image,
        String userData,
        String autostop,
        String devcontainer,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        java.util.List<DeviceView> devices) {
    public CreateWorkspaceRequest {
        devices = devices == null ? java.util.List.of() : java.util.List.copyOf(devices);
    }

    /** A request with the template's default devices. */
    public CreateWorkspaceRequest(
            String name,
            String template,
            Integer cpus,
            Integer memoryMiB,
            Integer diskGiB,
            String image,
            String userData,
            String autostop,
            String devcontainer) {
        this(name, template, cpus, memoryMiB, diskGiB, image, userData, autostop, devcontainer, null);
    }

    /** A request with the template's auto-stop setting and without a devcontainer folder. */
    public CreateWorkspaceRequest(
            String name,
            String template,
            Integer cpus,
            Integer memoryMiB,
            Integer diskGiB,
            String image,
            String userData) {
        this(name, template, cpus, memoryMiB, diskGiB, image, userData, null, null, null);
    }
}
