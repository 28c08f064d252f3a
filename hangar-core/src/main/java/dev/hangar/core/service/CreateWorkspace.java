package dev.hangar.core.service;

import dev.hangar.provider.spi.DeviceRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A request to create a workspace, as the caller sent it: nothing here is validated yet, that
 * happens once, in {@link WorkspaceService#create}. An absent value means "the default": the
 * server's default template, the template's sizes and image, no extra user-data.
 *
 * @param name DNS-1123 label, unique for the owner
 * @param template template name; absent for the server's default template
 * @param cpus virtual CPUs; absent for the template's default
 * @param memoryMiB memory in MiB; absent for the template's default
 * @param diskGiB disk in GiB; absent for the template's default
 * @param image image name; absent for the template's image
 * @param userData a #cloud-config YAML mapping merged into the user-data; absent for none; at most
 *     {@value WorkspaceService#MAX_USER_DATA_BYTES} bytes
 * @param autostop idle auto-stop for this workspace, {@code off} or a duration such as {@code 30m};
 *     absent for the template's setting
 * @param devcontainer absolute path of a folder on the server host with a devcontainer.json; absent
 *     for none (only for templates of the docker provider)
 * @param devices the devices asked for, each replacing the template's default count of that device
 *     (0: none of it, allowed when the template's minimum is 0); empty for the template's defaults.
 *     Checked against the template's offer and ranges in {@link WorkspaceService#create}
 */
public record CreateWorkspace(
        String name,
        Optional<String> template,
        OptionalInt cpus,
        OptionalInt memoryMiB,
        OptionalInt diskGiB,
        Optional<String> image,
        Optional<String> userData,
        Optional<String> autostop,
        Optional<String> devcontainer,
        List<DeviceCount> devices) {
    public CreateWorkspace {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(memoryMiB, "memoryMiB");
        Objects.requireNonNull(diskGiB, "diskGiB");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(userData, "userData");
        Objects.requireNonNull(autostop, "autostop");
        Objects.requireNonNull(devcontainer, "devcontainer");
        devices = List.copyOf(devices);
    }

    /** A request with the template's default devices. */
    public CreateWorkspace(
            String name,
            Optional<String> template,
            OptionalInt cpus,
            OptionalInt memoryMiB,
            OptionalInt diskGiB,
            Optional<String> image,
            Optional<String> userData,
            Optional<String> autostop,
            Optional<String> devcontainer) {
        this(name, template, cpus, memoryMiB, diskGiB, image, userData, autostop, devcontainer, List.of());
    }

    /** A request with the template's auto-stop setting and without a devcontainer folder. */
    public CreateWorkspace(
            String name,
            Optional<String> template,
            OptionalInt cpus,
            OptionalInt memoryMiB,
            OptionalInt diskGiB,
            Optional<String> image,
            Optional<String> userData) {
        this(name, template, cpus, memoryMiB, diskGiB, image, userData, Optional.empty(), Optional.empty());
    }

    /** @return a request for {@code name} that takes everything else from the defaults */
    public static CreateWorkspace named(String name) {
        return new CreateWorkspace(
                name,
                Optional.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** @return a request that takes every size from the template */
    public static CreateWorkspace of(String name, String template) {
        return named(name).withTemplate(template);
    }

    /** @return a copy asking for that template */
    public CreateWorkspace withTemplate(String t) {
        return new CreateWorkspace(
                name, Optional.of(t), cpus, memoryMiB, diskGiB, image, userData, autostop, devcontainer, devices);
    }

    /** @return a copy asking for that many virtual CPUs */
    public CreateWorkspace withCpus(int n) {
        return new CreateWorkspace(
                name,
                template,
                OptionalInt.of(n),
                memoryMiB,
                diskGiB,
                image,
                userData,
                autostop,
                devcontainer,
                devices);
    }

    /** @return a copy asking for that much memory, in MiB */
    public CreateWorkspace withMemoryMiB(int n) {
        return new CreateWorkspace(
                name, template, cpus, OptionalInt.of(n), diskGiB, image, userData, autostop, devcontainer, devices);
    }

    /** @return a copy asking for that much disk, in GiB */
    public CreateWorkspace withDiskGiB(int n) {
        return new CreateWorkspace(
                name, template, cpus, memoryMiB, OptionalInt.of(n), image, userData, autostop, devcontainer, devices);
    }

    /** @return a copy asking for that image */
    public CreateWorkspace withImage(String i) {
        return new CreateWorkspace(
                name, template, cpus, memoryMiB, diskGiB, Optional.of(i), userData, autostop, devcontainer, devices);
    }

    /** @return a copy with that extra user-data */
    public CreateWorkspace withUserData(String u) {
        return new CreateWorkspace(
                name, template, cpus, memoryMiB, diskGiB, image, Optional.of(u), autostop, devcontainer, devices);
    }

    /** @return a copy with that auto-stop setting ({@code off} or a duration) */
    public CreateWorkspace withAutostop(String a) {
        return new CreateWorkspace(
                name, template, cpus, memoryMiB, diskGiB, image, userData, Optional.of(a), devcontainer, devices);
    }

    /** @return a copy built from the devcontainer.json in {@code folder} (on the server host) */
    public CreateWorkspace withDevcontainer(String folder) {
        return new CreateWorkspace(
                name, template, cpus, memoryMiB, diskGiB, image, userData, autostop, Optional.of(folder), devices);
    }

    /** @return a copy asking for these devices (replacing any asked for before) */
    public CreateWorkspace withDevices(List<DeviceRequest> requested) {
        return withDeviceCounts(requested.stream().map(DeviceCount::of).toList());
    }

    /** @return a copy asking for these counts, 0 allowed (replacing any devices asked for before) */
    public CreateWorkspace withDeviceCounts(List<DeviceCount> requested) {
        return new CreateWorkspace(
                name, template, cpus, memoryMiB, diskGiB, image, userData, autostop, devcontainer, requested);
    }
}
