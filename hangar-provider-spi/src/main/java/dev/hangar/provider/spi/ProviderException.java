package dev.hangar.provider.spi;

/**
 * A provider call failed.
 *
 * <p>{@link #permanent()} tells the reconciler whether retrying can help: a missing image, an
 * invalid setting or a missing binary is permanent and marks the workspace Failed at once; a
 * timeout or a refused connection is transient and retried with exponential backoff.
 */
public class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean permanent;

    /**
     * @param message what failed and, where known, what to do about it; never a secret
     * @param permanent true when retrying the same call cannot succeed
     */
    public ProviderException(String message, boolean permanent) {
        super(message);
        this.permanent = permanent;
    }

    public ProviderException(String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    /** @return true when retrying the same call cannot succeed without a change by a person */
    public boolean permanent() {
        return permanent;
    }
}
