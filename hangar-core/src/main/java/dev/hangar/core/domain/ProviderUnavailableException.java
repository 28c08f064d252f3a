package dev.hangar.core.domain;

/**
 * The provider a workspace needs is not enabled on this server (HTTP 503): the request may work
 * on a server that enables it, or after this one is configured to.
 */
public class ProviderUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message which provider and which workspace */
    public ProviderUnavailableException(String message) {
        super(message);
    }
}
