package dev.hangar.api;

import java.time.Instant;

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

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        ActivityView autostop) {
    /** A view without auto-stop state (lists, write answers). */
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
                createdAt, updatedAt, version, null);
    }
}
