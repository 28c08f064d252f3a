package dev.hangar.core.domain;

/**
 * What the reconciler last observed of a workspace. Names follow Kubernetes' Pod phase style
 * (capitalised words); the allowed transitions are in {@link Lifecycle}.
 */
public enum Phase {
    /** Recorded, not yet seen by the reconciler. */
    Pending,
    /** Disk, seed or Kubernetes objects are being created. */
    Provisioning,
    /** Compute is up; waiting for sshd to answer with the pinned host key. */
    Starting,
    /** sshd answered with the pinned host key. */
    Running,
    /** Compute is shutting down. */
    Stopping,
    /** No compute; the disk is kept. */
    Stopped,
    /** Resources are being removed; the row goes when nothing is left. */
    Deleting,
    /** Cannot progress without help; {@code reason} says why. */
    Failed;

    /**
     * @throws IllegalArgumentException naming the allowed values
     */
    public static Phase parse(String s) {
        for (Phase p : values()) if (p.name().equalsIgnoreCase(s)) return p;
        throw new IllegalArgumentException(
                "phase must be one of " + java.util.Arrays.toString(values()) + "; got '" + s + "'");
    }
}
