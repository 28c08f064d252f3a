package dev.hangar.server;

import dev.hangar.api.ImageLoadEvent;
import dev.hangar.api.Json;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.provider.spi.NodeImages;
import dev.hangar.provider.spi.ProviderException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /api/v1/admin/image-loads} ({@code hangar image load}): an admin uploads a
 * docker-archive or OCI archive as the request body ({@code application/x-tar}), optionally naming
 * nodes ({@code ?node=N}, repeatable; default every node), and the answer streams the load's progress
 * as NDJSON ({@code application/x-ndjson}): one {@link ImageLoadEvent} of type {@code archive}, then
 * one of type {@code node} per step of each node, whose last per node is {@code done}, {@code
 * skipped} or {@code failed}. The status is 200 once streaming starts: a node's failure is a line,
 * not a status.
 *
 * <p>Refused before anything is read: 403 for non-admins and while {@code image-load.enabled} is
 * false (the loader Pods mount the nodes' containerd socket); 503 when no provider can load images;
 * 409 while another load runs on this server. After the upload: 422 for a body that is not an image
 * archive, or a node the cluster does not have.
 *
 * <p>The archive is kept in a temporary file under {@code $HANGAR_HOME/tmp} while the load runs and
 * deleted after it, also when the client goes away.
 */
final class ImageLoadRoutes {
    static final String PATH = "/api/v1/admin/image-loads";
    static final String NDJSON = "application/x-ndjson";

    private final ImageLoadSettings settings;
    private final Optional<NodeImages> loader;
    private final Path tmpDir;
    private final Semaphore one = new Semaphore(1);

    /**
     * @param loader the node image loader of the provider that has one, if any
     * @param tmpDir where uploads are kept while they load
     */
    ImageLoadRoutes(ImageLoadSettings settings, Optional<NodeImages> loader, Path tmpDir) {
        this.settings = settings;
        this.loader = loader;
        this.tmpDir = tmpDir;
    }

    void register(RoutesConfig r) {
        r.post(PATH, this::load);
    }

    private void load(Context ctx) throws IOException {
        if (!BearerAuth.user(ctx).admin())
            throw ApiException.forbidden("only admins may load images onto the cluster's nodes");
        if (!settings.enabled())
            throw ApiException.forbidden("image loading is off on this server: an admin sets image-load.enabled:"
                    + " true (and image-load.image) in the server config and applies deploy/components/image-load;"
                    + " the loader Pods mount each node's containerd socket (docs/server-config.md)");
        NodeImages nodeImages = loader.orElseThrow(() -> ApiException.unavailable(
                "no provider here can load images onto nodes: image load needs the kubernetes provider"
                        + " (providers.kubernetes.*)"));
        if (!one.tryAcquire())
            throw ApiException.conflict(
                    "image-load-running", "another image load runs on this server; wait for it to finish");
        Path file = null;
        try {
            Files.createDirectories(tmpDir);
            file = Files.createTempFile(tmpDir, "image-load-", ".tar");
            String sha256 = receive(ctx.req().getInputStream(), file);
            NodeImages.ArchiveInfo info;
            try {
                info = nodeImages.inspect(file);
            } catch (ProviderException e) {
                // The message names the server's temporary file, which means nothing to the caller.
                throw new ValidationException(
                        "body", e.getMessage().replace(file.getFileName().toString(), "the uploaded file"));
            }
            List<String> nodes = nodes(ctx.queryParams("node"), nodeImages);
            ctx.status(200).contentType(NDJSON);
            OutputStream out = ctx.res().getOutputStream();
            long size = Files.size(file);
            write(
                    out,
                    new ImageLoadEvent(
                            "archive",
                            "",
                            "",
                            size,
                            size,
                            0,
                            info.format() + ", sha256 " + sha256,
                            info.images().stream()
                                    .map(i -> i.name() + "@" + i.configDigest())
                                    .toList()));
            nodeImages.load(file, sha256, nodes, settings.loader(), p -> write(out, event(p)));
        } finally {
            one.release();
            if (file != null) Files.deleteIfExists(file);
        }
    }

    private static List<String> nodes(List<String> asked, NodeImages nodeImages) {
        List<String> all;
        try {
            all = nodeImages.nodes();
        } catch (ProviderException e) {
            throw ApiException.unavailable("cannot list the cluster's nodes: " + e.getMessage());
        }
        if (all.isEmpty()) throw new ValidationException("node", "the cluster has no nodes");
        if (asked.isEmpty()) return all;
        TreeSet<String> unknown = new TreeSet<>(asked);
        unknown.removeAll(all);
        if (!unknown.isEmpty())
            throw new ValidationException(
                    "node",
                    "no node named " + String.join(", ", unknown) + "; the cluster has " + String.join(", ", all));
        return new ArrayList<>(new TreeSet<>(asked));
    }

    /** Copies the body into {@code file}. @return its SHA-256, lower-case hex */
    private static String receive(InputStream body, Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(body, sha);
                OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        }
        if (Files.size(file) == 0)
            throw new ValidationException("body", "the request has no body: send the image archive (a tar file)");
        return HexFormat.of().formatHex(sha.digest());
    }

    static ImageLoadEvent event(NodeImages.NodeProgress p) {
        return new ImageLoadEvent(
                "node",
                p.node(),
                p.phase().name().toLowerCase(Locale.ROOT),
                p.bytesDone(),
                p.bytesTotal(),
                p.elapsedMillis(),
                p.message(),
                List.of());
    }

    private static void write(OutputStream out, ImageLoadEvent event) {
        try {
            out.write(Json.mapper().writeValueAsBytes(event));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            // The client went away: the load goes on (its Pods are deleted when it ends).
            throw new UncheckedIOException(e);
        }
    }
}
