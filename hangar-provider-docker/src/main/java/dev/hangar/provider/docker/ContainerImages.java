package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts workspace images into an engine without a registry (offline hosts): {@link #importRootfs}
 * makes an image from a root filesystem tarball ({@code POST /images/create?fromSrc=-}, what {@code
 * docker import} does). Such an image has no configuration (entrypoint, user, environment); the
 * provider sets what the image contract needs on every container ({@link
 * ContainerManifests#ENTRYPOINT}, {@code run-as-user}, the {@code HANGAR_*} variables), so a rootfs
 * laid out like images/workspace works as it is.
 *
 * <p>The server's {@code hangar image import} reaches it through {@link EngineImages}; tests and
 * tools use it directly. Thread-safe.
 */
public final class ContainerImages implements AutoCloseable {
    private static final Pattern REFERENCE = Pattern.compile(
            "[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private static final Pattern ERROR = Pattern.compile("\"(?:error|message)\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern ID = Pattern.compile("(?:sha256:|\"[Ii]d\"\\s*:\\s*\")([0-9a-f]{64})");

    private final DockerEngine engine;

    /** Over an engine the caller owns: {@link #close()} then closes it. */
    ContainerImages(DockerEngine engine) {
        this.engine = engine;
    }

    /** @return whether {@code reference} is {@code repository:tag} as the engine accepts it */
    static boolean validReference(String reference) {
        return REFERENCE.matcher(reference).matches();
    }

    /** @return images of the engine at {@code socket} ({@code unix:///PATH} or {@code tcp://HOST:PORT}) */
    public static ContainerImages of(String socket) {
        return new ContainerImages(DockerEngine.connect(URI.create(socket)));
    }

    /**
     * Imports {@code rootfs} (a tar of a root filesystem, optionally gzip-compressed) as {@code
     * reference}. Blocking; replaces an image of the same reference.
     *
     * @param reference {@code repository:tag}, e.g. {@code localhost/hangar/workspace:debian-12}
     * @return the new image's id ({@code sha256:...})
     * @throws ProviderException (permanent) when the reference is malformed or the file is missing or
     *     not a tarball the engine accepts
     */
    public String importRootfs(Path rootfs, String reference) {
        if (!REFERENCE.matcher(reference).matches())
            throw new ProviderException(
                    "image reference '" + reference + "' must be repository:tag, e.g. localhost/hangar/workspace:test",
                    true);
        if (!Files.isRegularFile(rootfs)) throw new ProviderException("no rootfs tarball at " + rootfs, true);
        int colon = reference.lastIndexOf(':');
        engine.precheck();
        // docker-java's CreateImageCmd sends the stream JSON-encoded (docker-java#2377), so the
        // import goes over its raw transport: POST /images/create?fromSrc=- with the tar as body
        String path = "/images/create?fromSrc=-&repo="
                + URLEncoder.encode(reference.substring(0, colon), StandardCharsets.UTF_8) + "&tag="
                + URLEncoder.encode(reference.substring(colon + 1), StandardCharsets.UTF_8);
        try (InputStream in = Files.newInputStream(rootfs);
                DockerHttpClient.Response response = engine.http()
                        .execute(DockerHttpClient.Request.builder()
                                .method(DockerHttpClient.Request.Method.POST)
                                .path(path)
                                .putHeader("Content-Type", "application/x-tar")
                                .body(in)
                                .build())) {
            String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher error = ERROR.matcher(body);
            if (response.getStatusCode() != 200 || error.find()) {
                throw new ProviderException(
                        "import of " + rootfs + " as " + reference + " failed at " + engine.socket() + ": HTTP "
                                + response.getStatusCode() + " " + (error.find(0) ? error.group(1) : body.strip()),
                        true);
            }
            Matcher id = ID.matcher(body);
            String last = null;
            while (id.find()) last = "sha256:" + id.group(1);
            if (last == null)
                throw new ProviderException(
                        "the engine at " + engine.socket() + " imported " + rootfs + " but named no image id: "
                                + body.strip(),
                        false);
            // Podman 4.3's compatible endpoint ignores repo and tag of an import: name it explicitly
            String imageId = last;
            engine.client()
                    .tagImageCmd(imageId, reference.substring(0, colon), reference.substring(colon + 1))
                    .withForce()
                    .exec();
            return imageId;
        } catch (IOException e) {
            throw new ProviderException("cannot read " + rootfs + ": " + e.getMessage(), true, e);
        } catch (ProviderException e) {
            throw e;
        } catch (RuntimeException e) {
            throw engine.translate("import of " + rootfs + " as " + reference, e);
        }
    }

    /** @return the engine's client, for tests and tools */
    DockerClient client() {
        return engine.client();
    }

    @Override
    public void close() {
        engine.close();
    }
}
