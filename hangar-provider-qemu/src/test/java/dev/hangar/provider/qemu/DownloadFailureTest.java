package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

/**
 * The JDK HTTP client's exceptions as it throws them (often without a message) turned into causes.
 * Real refused connections and HTTP statuses are in {@link ImageCacheTest}; an unresolvable host
 * would need DNS, so it is built here the way the client builds it.
 */
class DownloadFailureTest {
    private static final URI URL = URI.create("https://cloud.example.org/images/debian-12.qcow2");

    @Test
    void anUnresolvableHostIsNamed() {
        ConnectException e = new ConnectException();
        e.initCause(new UnresolvedAddressException());
        assertThat(DownloadFailure.describe(e, URL)).isEqualTo("cannot resolve host cloud.example.org");
    }

    @Test
    void aRefusedConnectionWithoutAMessageNamesHostAndPort() {
        assertThat(DownloadFailure.describe(new ConnectException(), URL))
                .isEqualTo("connection refused to cloud.example.org:443");
        assertThat(DownloadFailure.describe(new ConnectException(), URI.create("http://10.0.0.1/x")))
                .isEqualTo("connection refused to 10.0.0.1:80");
    }

    @Test
    void timeoutsAndOtherErrorsNameTheEndpoint() {
        assertThat(DownloadFailure.describe(new HttpConnectTimeoutException("HTTP connect timed out"), URL))
                .isEqualTo("connecting to cloud.example.org:443 timed out");
        assertThat(DownloadFailure.describe(new IOException("connection reset"), URL))
                .isEqualTo("IOException from cloud.example.org:443: connection reset");
        assertThat(DownloadFailure.describe(new DownloadFailure.HttpStatusException(404, URL), URL))
                .isEqualTo("HTTP 404 from " + URL);
    }

    @Test
    void theOfflineRemedyNamesBothWays() {
        assertThat(DownloadFailure.offlineRemedy("debian-12"))
                .contains("hangar image import FILE --name debian-12", "HANGAR_IMAGE_FILE=FILE bin/hangar up");
    }
}
