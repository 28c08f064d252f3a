package dev.hangar.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A workspace as the API shows it.
 *
 * @param id immutable UUID
 * @param name DNS-1123 label, unique per owner
 * @param owner the owner's user name
 * @param template template it was created from
 * @param provider provider type, e.g. {@code qemu}
 * @param cpus virtual CPUs
 * @param memoryMiB memory in MiB
 * @param diskGiB disk in GiB
 * @param image image name or reference
 * @param desired what the user asked for ({@code "running"}, {@code "stopped"} or {@code "deleted"}
 *     in JSON)
 * @param phase what was observed ({@code "Pending"} ... {@code "Failed"} in JSON)
 * @param reason why it is in this phase; empty when none
 * @param hostKey the workspace's pinned SSH host key, {@code "<algorithm> <base64>"}
 * @param createdAt creation time (ISO-8601)
 * @param updatedAt last change (ISO-8601)
 * @param version optimistic-concurrency version
 * @param autostop idle auto-stop state (setting, last activity, when it will stop) in the answer of
 *     {@code GET /workspaces/{name}}; null (left out of the JSON) in lists and other answers
 * @param forwardPorts {@code host:port} entries of the workspace's devcontainer.json {@code
 *     forwardPorts} ({@code hangar config-ssh} writes a {@code LocalForward} per entry); empty, and
 *     left out of the JSON, for none
 * @param devices the devices the workspace asks for (issue #19); empty, and left out of the JSON,
 *     for none
 */
public record WorkspaceView(
        String id,
        String name,
        String owner,
        String template,
        String provider,
        int cpus,
        int memoryMiB,
        int diskGiB,
        String image,
        DesiredState desired,
        WorkspacePhase phase,
        String reason,
        String hostKey,
        Instant createdAt,
        Instant updatedAt,
        long version,
        @JsonInclude(JsonInclude.Include.NON_NULL) ActivityView autostop,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> forwardPorts,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DeviceView> devices) {
    public WorkspaceView {
        forwardPorts = forwardPorts == null ? List.of() : List.copyOf(forwardPorts);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** A view without devices. */
    public WorkspaceView(
            String id,
            String name,
            String owner,
            String template,
            String provider,
            int cpus,
            int memoryMiB,
            int diskGiB,
            String image,
            DesiredState desired,
            WorkspacePhase phase,
            String reason,
            String hostKey,
            Instant createdAt,
            Instant updatedAt,
            long version,
            ActivityView autostop,
            List<String> forwardPorts) {
        this(
                id,
                name,
                owner,
                template,
                provider,
                cpus,
                memoryMiB,
                diskGiB,
                image,
                desired,
                phase,
                reason,
                hostKey,
                createdAt,
                updatedAt,
                version,
                autostop,
                forwardPorts,
                List.of());
    }

    /** A view without auto-stop state (lists, write answers) and without forwarded ports. */
    public WorkspaceView(
            String id,
            String name,
            String owner,
            String template,
            String provider,
            int cpus,
            int memoryMiB,
            int diskGiB,
            String image,
            DesiredState desired,
            WorkspacePhase phase,
            String reason,
            String hostKey,
            Instant createdAt,
            Instant updatedAt,
            long version) {
        this(
                id, name, owner, template, provider, cpus, memoryMiB, diskGiB, image, desired, phase, reason, hostKey,
                createdAt, updatedAt, version, null, List.of());
    }

    /** @return a copy with that auto-stop state */
    public WorkspaceView withAutostop(ActivityView a) {
        return new WorkspaceView(
                id,
                name,
                owner,
                template,
                provider,
                cpus,
                memoryMiB,
                diskGiB,
                image,
                desired,
                phase,
                reason,
                hostKey,
                createdAt,
                updatedAt,
                version,
                a,
                forwardPorts,
                devices);
    }
}
