package dev.hangar.provider.qemu;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Turns what the JDK's HTTP client throws into words a user can act on. Its exceptions often carry
 * no message at all ({@code ConnectException: null}), so the cause is read from their type.
 *
 * <p>Stateless; thread-safe.
 */
final class DownloadFailure {
    private DownloadFailure() {}

    /**
     * @return the cause of a failed request to {@code url} in one phrase, e.g. {@code cannot resolve
     *     host example.org} or {@code connection refused to 127.0.0.1:8080}
     */
    static String describe(IOException e, URI url) {
        String host = url.getHost() == null ? String.valueOf(url) : url.getHost();
        String hostPort = host + ":" + port(url);
        if (unresolved(e)) return "cannot resolve host " + host;
        if (e instanceof HttpConnectTimeoutException) return "connecting to " + hostPort + " timed out";
        if (e instanceof HttpTimeoutException) return "no answer from " + hostPort + " in time";
        if (e instanceof ConnectException) {
            return "connection refused to " + hostPort
                    + (e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage() + ")");
        }
        if (e instanceof HttpStatusException) return e.getMessage();
        String message = e.getMessage();
        return e.getClass().getSimpleName() + " from " + hostPort
                + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** The offline remedy, to append to every download failure. */
    static String offlineRemedy(String image) {
        return "offline hosts: copy the image file to the server and run `hangar image import FILE --name " + image
                + "`, or `HANGAR_IMAGE_FILE=FILE bin/hangar up`";
    }

    private static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) return true;
        }
        return false;
    }

    private static int port(URI url) {
        if (url.getPort() >= 0) return url.getPort();
        return "http".equalsIgnoreCase(url.getScheme()) ? 80 : 443;
    }

    /** An answer with an unexpected HTTP status; the message is {@code HTTP <status> from <url>}. */
    static final class HttpStatusException extends IOException {
        private static final long serialVersionUID = 1L;

        HttpStatusException(int status, URI url) {
            super("HTTP " + status + " from " + url);
        }
    }
}
