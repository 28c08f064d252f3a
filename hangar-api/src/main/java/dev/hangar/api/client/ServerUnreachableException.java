package dev.hangar.api.client;

import java.net.URI;

/**
 * No HTTP answer came from the server: connection refused, no route, a connect or request timeout,
 * or a connection closed before a response. The message names the URL and says how to start the
 * server or point the client elsewhere. Unchecked; immutable.
 */
public final class ServerUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final URI url;

    /**
     * @param url the base URL that was dialled
     * @param why a short cause, e.g. {@code connection refused}
     * @param cause the I/O failure
     */
    public ServerUnreachableException(URI url, String why, Throwable cause) {
        super(
                "cannot reach the Hangar server at " + url + " (" + why + "); start it with 'hangar server'"
                        + " (or 'bin/hangar up'), or set HANGAR_URL to the server's address",
                cause);
        this.url = url;
    }

    /** @return the base URL that could not be reached */
    public URI url() {
        return url;
    }
}
