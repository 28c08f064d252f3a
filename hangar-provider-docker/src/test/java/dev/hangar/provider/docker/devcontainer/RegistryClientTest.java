package dev.hangar.provider.docker.devcontainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.provider.docker.devcontainer.RegistryClient.RegistryException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution protocol details a well-behaved registry does not let us provoke: a blob or
 * manifest whose content does not match its digest, the Bearer token challenge (ghcr.io's anonymous
 * pulls; docker-registry has no token service of its own), a redirect to a blob store on another
 * host. A stand-in registry (the JDK's HttpServer on a loopback port) serves exactly what each case
 * needs; the real registry is {@link RegistryFeaturesTest}'s.
 */
class RegistryClientTest {
    private static final String TOKEN = "anonymous-pull-token";

    private HttpServer server;
    private String host;
    private final Map<String, Response> routes = new ConcurrentHashMap<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private record Response(int status, Map<String, String> headers, byte[] body) {}

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        host = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        String key = x.getRequestURI().getPath();
        seen.add(x.getRequestURI() + " auth=" + auth);
        Response r = routes.get(key);
        if (r == null) r = new Response(404, Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
        if (r.headers().containsKey("X-Needs-Token") && !("Bearer " + TOKEN).equals(auth)) {
            r = new Response(
                    401,
                    Map.of(
                            "WWW-Authenticate",
                            "Bearer realm=\"http://" + host
                                    + "/token\",service=\"stand-in\",scope=\"repository:ns/f:pull\""),
                    new byte[0]);
        }
        r.headers().forEach((k, v) -> {
            if (!k.startsWith("X-")) x.getResponseHeaders().add(k, v);
        });
        x.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) x.getResponseBody().write(r.body());
        x.close();
    }

    private FeatureReference ref(String reference) {
        return new FeatureReference(host, "ns/f", reference);
    }

    @Test
    void aBlobWhoseContentDoesNotMatchItsDigestIsRefused() {
        byte[] real = "the real layer".getBytes(StandardCharsets.UTF_8);
        byte[] tampered = "the evil layer".getBytes(StandardCharsets.UTF_8);
        String digest = RegistryClient.sha256(real);
        routes.put("/v2/ns/f/blobs/" + digest, new Response(200, Map.of(), tampered));
        assertThatThrownBy(() -> new RegistryClient(Duration.ofSeconds(5)).blob(ref("1"), digest, real.length))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("blob " + digest + " does not match its digest (its content hashes to "
                        + RegistryClient.sha256(tampered) + ")");
    }

    @Test
    void aBlobOfAnotherSizeIsRefused() {
        byte[] real = "layer".getBytes(StandardCharsets.UTF_8);
        String digest = RegistryClient.sha256(real);
        routes.put("/v2/ns/f/blobs/" + digest, new Response(200, Map.of(), real));
        assertThatThrownBy(() -> new RegistryClient(Duration.ofSeconds(5)).blob(ref("1"), digest, real.length + 1))
                .hasMessageContaining("has 5 bytes, the manifest says 6");
    }

    @Test
    void aManifestNotMatchingTheDigestAskedForOrAnnouncedIsRefused() {
        byte[] manifest = "{\"layers\": []}".getBytes(StandardCharsets.UTF_8);
        String other = "sha256:" + "ab".repeat(32);
        routes.put("/v2/ns/f/manifests/" + other, new Response(200, Map.of(), manifest));
        assertThatThrownBy(() -> new RegistryClient(Duration.ofSeconds(5)).manifest(ref(other), 1 << 20))
                .hasMessageContaining("the manifest's digest is " + RegistryClient.sha256(manifest) + ", not the "
                        + other + " asked for");
        routes.put("/v2/ns/f/manifests/1", new Response(200, Map.of("Docker-Content-Digest", other), manifest));
        assertThatThrownBy(() -> new RegistryClient(Duration.ofSeconds(5)).manifest(ref("1"), 1 << 20))
                .hasMessageContaining("not the " + other + " the registry announced");
    }

    @Test
    void answersABearerChallengeWithAnAnonymousTokenAndKeepsItFromOtherHosts() {
        byte[] manifest = "{\"layers\": []}".getBytes(StandardCharsets.UTF_8);
        routes.put(
                "/v2/ns/f/manifests/1",
                new Response(
                        200,
                        Map.of("X-Needs-Token", "yes", "Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                        manifest));
        routes.put(
                "/token",
                new Response(200, Map.of(), ("{\"token\": \"" + TOKEN + "\"}").getBytes(StandardCharsets.UTF_8)));
        byte[] blob = "blob".getBytes(StandardCharsets.UTF_8);
        String digest = RegistryClient.sha256(blob);
        // the blob store is "another host": localhost instead of 127.0.0.1
        String store = "http://localhost:" + server.getAddress().getPort() + "/store/" + digest.substring(7);
        routes.put(
                "/v2/ns/f/blobs/" + digest,
                new Response(307, Map.of("X-Needs-Token", "yes", "Location", store), new byte[0]));
        routes.put("/store/" + digest.substring(7), new Response(200, Map.of(), blob));

        RegistryClient client = new RegistryClient(Duration.ofSeconds(5));
        RegistryClient.Fetched m = client.manifest(ref("1"), 1 << 20);
        assertThat(m.digest()).isEqualTo(RegistryClient.sha256(manifest));
        assertThat(client.blob(ref("1"), digest, blob.length).body()).isEqualTo(blob);
        assertThat(seen)
                .contains("/token?service=stand-in&scope=repository%3Ans%2Ff%3Apull auth=null")
                .contains("/v2/ns/f/manifests/1 auth=Bearer " + TOKEN)
                .contains("/store/" + digest.substring(7) + " auth=null");
    }

    @Test
    void refusedAnonymousAccessSaysSo() {
        routes.put("/v2/ns/f/manifests/1", new Response(403, Map.of(), new byte[0]));
        assertThatThrownBy(() -> new RegistryClient(Duration.ofSeconds(5)).manifest(ref("1"), 1 << 20))
                .hasMessageContaining("the registry refused anonymous access (HTTP 403)");
    }

    @Test
    void aRegistryThatDoesNotAnswerTimesOut() throws IOException {
        // accepts the connection but never answers
        try (var silent = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FeatureReference ref = new FeatureReference("127.0.0.1:" + silent.getLocalPort(), "ns/f", "1");
            assertThatThrownBy(() -> new RegistryClient(Duration.ofMillis(500)).manifest(ref, 1 << 20))
                    .hasMessageContaining("no answer from 127.0.0.1:" + silent.getLocalPort() + " within");
        }
    }

    @Test
    void loopbackRegistriesAreSpokenToInPlainHttpOthersInHttps() {
        assertThat(RegistryClient.base("127.0.0.1:5000")).isEqualTo("http://127.0.0.1:5000");
        assertThat(RegistryClient.base("localhost")).isEqualTo("http://localhost");
        assertThat(RegistryClient.base("[::1]:5000")).isEqualTo("http://[::1]:5000");
        assertThat(RegistryClient.base("ghcr.io")).isEqualTo("https://ghcr.io");
        assertThat(RegistryClient.base("127.example.org:443")).isEqualTo("https://127.example.org:443");
    }
}
