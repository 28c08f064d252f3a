package dev.hangar.api.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;

/**
 * The one mapping of a request that got no answer to the client's exceptions, for {@link ApiTransport}
 * and {@link ApiStreams}: {@link ServerUnreachableException} naming the base URL and why (no
 * connection within the connect timeout, no answer within the request timeout, connection refused,
 * or the I/O error's first line), and {@link CancellationException} for an interrupt, with the
 * thread's interrupt flag set again. Pure; thread-safe.
 */
final class TransportFailures {
    private TransportFailures() {}

    /**
     * @param requestTimeout the timeout the request was sent with, for the message
     * @return the {@link ServerUnreachableException} for an {@link IOException} of {@link
     *     java.net.http.HttpClient#send}
     */
    static ServerUnreachableException of(ClientSettings settings, IOException e, Duration requestTimeout) {
        if (e instanceof HttpConnectTimeoutException)
            return unreachable(settings, "no connection within " + ApiTransport.seconds(settings.connectTimeout()), e);
        if (e instanceof HttpTimeoutException)
            return unreachable(settings, "no answer within " + ApiTransport.seconds(requestTimeout), e);
        if (e instanceof ConnectException) return unreachable(settings, "connection refused", e);
        return unreachable(
                settings,
                e.getMessage() == null ? e.getClass().getSimpleName() : ProblemAnswers.firstLine(e.getMessage()),
                e);
    }

    /** @return a {@link ServerUnreachableException} naming the settings' base URL and {@code why} */
    static ServerUnreachableException unreachable(ClientSettings settings, String why, Throwable cause) {
        return new ServerUnreachableException(settings.baseUrl(), why, cause);
    }

    /**
     * Sets the current thread's interrupt flag again.
     *
     * @return a {@link CancellationException} "interrupted {@code what}" caused by {@code e}
     */
    static CancellationException interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        CancellationException c = new CancellationException("interrupted " + what);
        c.initCause(e);
        return c;
    }
}
