package dev.hangar.gateway;

import java.util.Objects;

/**
 * A workspace as the gateway sees it: who owns it and whether its sshd can be reached now.
 * Produced by {@link GatewayDirectory#workspace}.
 */
public sealed interface WorkspaceTarget {

    /** @return the workspace's immutable id (the store's UUID string) */
    String id();

    /** @return the owning user's name */
    String owner();

    /**
     * A running workspace and the endpoint of its sshd as the provider reports it (loopback port
     * for QEMU, pod IP or port-forward for Kubernetes); this is where the gateway connects, never
     * the host the client named.
     *
     * @param id workspace id
     * @param owner owner's user name
     * @param sshHost host name or IP address of the workspace's sshd
     * @param sshPort its TCP port, 1..65535
     */
    record Reachable(String id, String owner, String sshHost, int sshPort) implements WorkspaceTarget {
        public Reachable {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(sshHost, "sshHost");
            if (sshHost.isBlank()) throw new IllegalArgumentException("sshHost is empty for workspace " + id);
            if (sshPort < 1 || sshPort > 65535)
                throw new IllegalArgumentException("sshPort must be 1..65535 for workspace " + id + "; got " + sshPort);
        }
    }

    /**
     * A workspace whose sshd cannot be reached now (not Running).
     *
     * @param id workspace id
     * @param owner owner's user name
     * @param state what to tell the user, e.g. the phase {@code Stopped}
     * @param reason why it is in that state; empty when none
     * @param starting whether it is on its way to Running (the user should wait, not start it)
     */
    record Unreachable(String id, String owner, String state, String reason, boolean starting)
            implements WorkspaceTarget {
        public Unreachable {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
        }

        /** A workspace that is not starting, without a reason. */
        public Unreachable(String id, String owner, String state) {
            this(id, owner, state, "", false);
        }
    }
}
