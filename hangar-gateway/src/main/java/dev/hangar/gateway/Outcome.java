package dev.hangar.gateway;

import java.util.Objects;

/** How a gateway channel ended. */
public sealed interface Outcome {

    /** The gateway relayed bytes between the client and the workspace's sshd until one closed. */
    record Relayed() implements Outcome {}

    /**
     * The gateway refused the request before connecting anywhere.
     *
     * @param reason the policy that refused it
     * @param message the text sent to the client (also logged); never a secret
     */
    record Denied(Denial reason, String message) implements Outcome {
        public Denied {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The request was allowed but the workspace's sshd could not be reached.
     *
     * @param error what went wrong, e.g. {@code Connection refused}
     */
    record Unreachable(String error) implements Outcome {
        public Unreachable {
            Objects.requireNonNull(error, "error");
        }
    }
}
