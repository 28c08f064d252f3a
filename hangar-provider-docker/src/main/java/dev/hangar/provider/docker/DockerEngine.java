package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.VersionComponent;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.hangar.provider.spi.ProviderException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The connection to one Docker Engine API endpoint (dockerd, or Podman's Docker-compatible
 * service): the docker-java client on the zero-dependency transport, and the translation of
 * engine and connection errors into {@link ProviderException}s that name the setting to change.
 * Thread-safe (docker-java's client is).
 */
final class DockerEngine implements AutoCloseable {
    private final URI socket;
    private final DockerClient client;
    private final DockerHttpClient http;

    private DockerEngine(URI socket, DockerClient client, DockerHttpClient http) {
        this.socket = socket;
        this.client = client;
        this.http = http;
    }

    /** Creates the client; sends no request. */
    static DockerEngine connect(URI socket) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(socket.toString())
                .withDockerTlsVerify(false)
                .build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
        return new DockerEngine(socket, DockerClientImpl.getInstance(config, http), http);
    }

    DockerClient client() {
        return client;
    }

    /** The raw HTTP transport, for calls docker-java gets wrong (image import, docker-java#2377). */
    DockerHttpClient http() {
        return http;
    }

    URI socket() {
        return socket;
    }

    /**
     * Asks the engine which it is ({@code GET /version}).
     *
     * @return e.g. {@code "Docker 20.10.24 (API 1.41)"} or {@code "Podman 4.3.1 (API 1.41)"}
     * @throws ProviderException (transient) saying why no engine answered and which setting to change
     */
    String describe() {
        precheck();
        try {
            Version v = client.versionCmd().exec();
            List<VersionComponent> components = v.getComponents() == null ? List.of() : v.getComponents();
            String engine = components.stream()
                            .anyMatch(c -> c.getName() != null
                                    && c.getName().toLowerCase().contains("podman"))
                    ? "Podman"
                    : "Docker";
            return engine + " " + v.getVersion() + " (API " + v.getApiVersion() + ")";
        } catch (RuntimeException e) {
            throw translate("GET /version", e);
        }
    }

    /** Fails fast, with the reason, when a unix socket is missing or not accessible. */
    void precheck() {
        unusableSocket().ifPresent(reason -> {
            throw new ProviderException(reason, false);
        });
    }

    private Optional<String> unusableSocket() {
        if (!"unix".equals(socket.getScheme())) return Optional.empty();
        Path path = Path.of(socket.getPath());
        if (!Files.exists(path)) {
            return Optional.of("no container engine: the socket " + path + " does not exist (start dockerd, or"
                    + " `podman system service`, or point providers.docker.socket at the engine's socket)");
        }
        if (!Files.isReadable(path) || !Files.isWritable(path)) {
            return Optional.of("no container engine: permission denied on the socket " + path + " (add the"
                    + " server's user to the socket's group, e.g. docker, or change providers.docker.socket)");
        }
        return Optional.empty();
    }

    /**
     * @return a {@link ProviderException} for a failed engine call: HTTP 400/401/403/404/409/500 with
     *     a message from the engine are permanent only when retrying cannot help (400, 401, 403);
     *     connection errors are transient and name the socket setting
     */
    ProviderException translate(String what, RuntimeException e) {
        if (e instanceof ProviderException p) return p;
        if (e instanceof DockerException d) {
            int status = d.getHttpStatus();
            boolean permanent = status == 400 || status == 401 || status == 403;
            return new ProviderException(
                    what + " failed at " + socket + ": HTTP " + status + " "
                            + d.getMessage().strip(),
                    permanent,
                    e);
        }
        String reason = unusableSocket()
                .orElse("the engine at " + socket + " did not answer: " + e.getMessage()
                        + " (check that it runs, or change providers.docker.socket)");
        return new ProviderException(what + " failed: " + reason, false, e);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (java.io.IOException e) {
            // nothing left to release
        }
    }
}
