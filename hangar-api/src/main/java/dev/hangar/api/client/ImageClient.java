package dev.hangar.api.client;

import dev.hangar.api.ImageLoadEvent;
import dev.hangar.api.ImageView;
import dev.hangar.api.ImportImageRequest;
import dev.hangar.api.PullImageRequest;
import java.util.List;

/**
 * The server's OS images ({@code /api/v1/images}): catalog entries, cached images, pulls with
 * progress, and the admin's import and delete; for each the provider it belongs to (VM base images
 * of {@code qemu}, the container engine's images of {@code docker}). Same errors as {@link HangarClient}. Thread-safe;
 * shares its {@link HangarClient}'s transport and lives as long as that client.
 */
public final class ImageClient {
    private static final String BASE = "/api/v1/images";

    private final ApiTransport transport;

    ImageClient(ApiTransport transport) {
        this.transport = transport;
    }

    /** {@code GET /images}: catalog entries and cached images, by name. */
    public List<ImageView> list() {
        return transport.sendForList("GET", BASE, null, ImageView.class);
    }

    /**
     * {@code GET /images/{name}}: one image with its pull progress.
     *
     * @throws ApiException 404 when neither cached nor in the catalog
     */
    public ImageView get(String name) {
        return transport.send("GET", BASE + "/" + ApiPaths.segment(name), null, ImageView.class);
    }

    /**
     * {@code POST /images/pull} (202): starts, or joins, a background download of a catalog image;
     * poll {@link #get(String)} for progress. Idempotent; a cached image answers at once.
     *
     * @throws ApiException 404 for a name not in the catalog
     */
    public ImageView pull(String name) {
        return transport.send("POST", BASE + "/pull", new PullImageRequest(name), ImageView.class);
    }

    /**
     * {@code POST /images/import} (201, admins only): copies a file or kernel-boot directory that is
     * on the SERVER host into the image cache.
     *
     * @param path the source's path on the server host
     * @param name the image name to cache it under
     * @throws ApiException 403 for non-admins, 409 when the name is cached, 422 for a missing or
     *     corrupt source
     */
    public ImageView importFromServerPath(String path, String name) {
        return transport.send("POST", BASE + "/import", new ImportImageRequest(path, name), ImageView.class);
    }

    /**
     * {@code POST /images/import} (201, admins only) into the images of {@code provider}: a disk
     * image for {@code qemu}, a rootfs tarball for {@code docker}; the source is on the SERVER host.
     *
     * @param provider the provider type, e.g. {@code docker}
     * @throws ApiException as {@link #importFromServerPath(String, String)}; 422 naming {@code
     *     provider} when no such provider offers images
     */
    public ImageView importFromServerPath(String path, String name, String provider) {
        return transport.send("POST", BASE + "/import", new ImportImageRequest(path, name, provider), ImageView.class);
    }

    /**
     * {@code POST /admin/image-loads} (admins only, and only where the server's {@code
     * image-load.enabled} is true): uploads a docker-archive or OCI archive and loads it into the
     * container runtime of {@code nodes} (every node when empty), handing each NDJSON progress line to
     * {@code events} as it arrives. Blocks until every node finished or failed (at most 2 hours).
     *
     * @throws ApiException 403 for non-admins or while image loading is off, 409 while another load
     *     runs, 422 for a file that is not an image archive or an unknown node, 503 without a provider
     *     that can load images
     * @throws IllegalStateException for a progress line that is not an {@link ImageLoadEvent}
     */
    public void load(
            java.nio.file.Path archive, List<String> nodes, java.util.function.Consumer<ImageLoadEvent> events) {
        StringBuilder path = new StringBuilder("/api/v1/admin/image-loads");
        for (int i = 0; i < nodes.size(); i++) {
            path.append(i == 0 ? '?' : '&')
                    .append("node=")
                    .append(java.net.URLEncoder.encode(nodes.get(i), java.nio.charset.StandardCharsets.UTF_8));
        }
        transport
                .streams()
                .streamLines(
                        "POST", path.toString(), archive, "application/x-tar", java.time.Duration.ofHours(2), line -> {
                            try {
                                events.accept(dev.hangar.api.Json.mapper()
                                        .readerFor(ImageLoadEvent.class)
                                        .without(
                                                com.fasterxml.jackson.databind.DeserializationFeature
                                                        .FAIL_ON_UNKNOWN_PROPERTIES)
                                        .readValue(line));
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(
                                        "the server sent an unreadable progress line: " + line, e);
                            }
                        });
    }

    /**
     * {@code DELETE /images/{name}} (204, admins only): removes a cached image (a catalog entry can
     * be pulled again).
     *
     * @throws ApiException 403 for non-admins, 404 when the image is not cached, 409 while workspace
     *     disks still use it (the detail names them)
     */
    public void delete(String name) {
        transport.sendIgnoringBody("DELETE", BASE + "/" + ApiPaths.segment(name));
    }
}
