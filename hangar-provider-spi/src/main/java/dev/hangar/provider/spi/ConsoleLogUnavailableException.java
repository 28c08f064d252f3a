package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * Thrown by {@link WorkspaceProvider#consoleLog} of a provider that has a serial console but cannot
 * give its log now ({@link Why#NOT_RUNNING}: e.g. a KubeVirt VM keeps its log in the virt-launcher
 * pod, which exists only while the VM runs) or on this installation at all ({@link Why#NOT_KEPT}:
 * e.g. a KubeVirt older than 1.1, or one configured not to keep it). The message says why and what
 * to do; the API answers it with a 409 problem, not a server error. Permanent: asking again without a
 * change gives the same answer.
 */
public final class ConsoleLogUnavailableException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /** Why there is no log to give. */
    public enum Why {
        /** The workspace's compute does not run, and the log does not outlive it. */
        NOT_RUNNING,
        /** This installation keeps no serial console log (a version or a setting). */
        NOT_KEPT
    }

    private final Why why;

    /** @param message what is missing and what to do; never a secret */
    public ConsoleLogUnavailableException(Why why, String message) {
        super(message, true);
        this.why = Objects.requireNonNull(why, "why");
    }

    /** @return why there is no log */
    public Why why() {
        return why;
    }
}
