package dev.hangar.api;

/**
 * A workspace's observed phase as the API shows it; in JSON the constant's name, e.g. {@code
 * "Running"}.
 */
public enum WorkspacePhase {
    /** Recorded; nothing done yet. */
    Pending,
    /** The provider prepares it (image, disk, objects). */
    Provisioning,
    /** Its VM or Pod runs; sshd is not reachable yet. */
    Starting,
    /** Reachable over SSH. */
    Running,
    /** Being stopped. */
    Stopping,
    /** Stopped; its disk is kept. */
    Stopped,
    /** Being deleted with its disk. */
    Deleting,
    /** Gave up; the reason says why. A start, stop or delete request is the way out. */
    Failed
}
