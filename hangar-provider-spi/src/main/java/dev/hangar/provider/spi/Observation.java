package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * What a provider saw of a workspace's resources at one moment.
 *
 * <p>Sealed, so the reconciler's mapping to workspace phases is checked by the compiler.
 */
public sealed interface Observation
        permits Observation.Absent,
                Observation.Stopped,
                Observation.Starting,
                Observation.Running,
                Observation.Stopping,
                Observation.Failed {

    /** A short human-readable detail for events and {@code hangar show}; empty when none. */
    String detail();

    /** No resource of the workspace exists (never created, or fully deleted). */
    record Absent() implements Observation {
        @Override
        public String detail() {
            return "";
        }
    }

    /** Resources (disk, volume) exist and no compute runs. */
    record Stopped(String detail) implements Observation {
        public Stopped {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Compute is coming up but the workspace's sshd has not yet answered with the pinned host key. */
    record Starting(String detail) implements Observation {
        public Starting {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The workspace's sshd answered with the pinned host key.
     *
     * @param ssh where the control plane reaches that sshd
     */
    record Running(SshEndpoint ssh, String detail) implements Observation {
        public Running {
            Objects.requireNonNull(ssh, "ssh");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Compute is shutting down or resources are being removed. */
    record Stopping(String detail) implements Observation {
        public Stopping {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The workspace cannot make progress without help (a crash, a pull error, an unschedulable pod).
     *
     * @param reason what went wrong and, where known, what to do, e.g. the last lines of a serial
     *     log or a Kubernetes event reason such as {@code ImagePullBackOff}
     */
    record Failed(String reason) implements Observation {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String detail() {
            return reason;
        }
    }
}
