package dev.hangar.server;

import dev.hangar.api.ImageView;
import dev.hangar.api.ImportImageRequest;
import dev.hangar.api.PullImageRequest;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.provider.spi.ImageInUseException;
import dev.hangar.provider.spi.ImageInfo;
import dev.hangar.provider.spi.ImageState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.UnknownImageException;
import dev.hangar.provider.spi.WorkspaceImages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code /api/v1/images}: list (catalog plus cache), get one with pull progress, pull in the
 * background (202), import a file on the server host (201, admins only) and delete a cached image
 * (204, admins only; 409 naming the workspaces whose disks still use it). Backed by the {@link
 * WorkspaceImages} a provider offers, whichever provider that is. Present even when no provider
 * offers images: the list is then empty and the other routes answer 503 saying so.
 */
final class ImageRoutes {
    static final String BASE = "/api/v1/images";

    private final Optional<WorkspaceImages> images;
    private final Function<String, Optional<String>> workspaceLabel;

    /**
     * @param images the images of the provider that has them, if any
     * @param workspaceLabel a workspace id to how users know it ({@code owner/name}), empty for an
     *     id the store does not know
     */
    ImageRoutes(Optional<WorkspaceImages> images, Function<String, Optional<String>> workspaceLabel) {
        this.images = images;
        this.workspaceLabel = workspaceLabel;
    }

    /** @return the images these routes serve, if a provider offers them (the dashboard shows the same) */
    Optional<WorkspaceImages> offered() {
        return images;
    }

    void register(RoutesConfig r) {
        r.get(
                BASE,
                ctx -> ctx.json(images.map(WorkspaceImages::list).orElse(List.of()).stream()
                        .map(ImageRoutes::view)
                        .toList()));
        r.get(BASE + "/{name}", this::get);
        r.delete(BASE + "/{name}", this::delete);
        r.post(BASE + "/pull", this::pull);
        r.post(BASE + "/import", this::importImage);
    }

    private void get(Context ctx) {
        String name = ctx.pathParam("name");
        ctx.json(view(images().find(name)
                .orElseThrow(() -> new NotFoundException(
                        "image '" + name + "' is neither cached nor in the image catalog; see `hangar image list`"))));
    }

    private void pull(Context ctx) {
        PullImageRequest req = RequestBodies.read(ctx, PullImageRequest.class);
        String name = required("name", req.name());
        try {
            ctx.status(202).json(view(images().pull(name)));
        } catch (UnknownImageException e) {
            throw new ValidationException("name", e.getMessage());
        }
    }

    private void importImage(Context ctx) {
        requireAdmin(ctx, "import images (the path is read on the server host); ask an admin, or pull a catalog image");
        ImportImageRequest req = RequestBodies.read(ctx, ImportImageRequest.class);
        String name = required("name", req.name());
        String raw = required("path", req.path());
        Path path = Path.of(raw);
        if (!path.isAbsolute())
            throw new ValidationException("path", "path must be absolute on the server host, got '" + raw + "'");
        WorkspaceImages all = images();
        if (all.find(name).map(i -> i.state() == ImageState.CACHED).orElse(false))
            throw new ConflictException(
                    "name",
                    "image '" + name + "' is already cached; choose another name or delete the cached one (`hangar"
                            + " image delete " + name + "`)");
        try {
            ctx.status(201).json(view(all.importImage(path, name)));
        } catch (WorkspaceImages.ImageNameException e) {
            throw new ValidationException("name", e.getMessage());
        } catch (ProviderException e) {
            throw new ValidationException("path", e.getMessage());
        }
    }

    private void delete(Context ctx) {
        requireAdmin(ctx, "delete images (workspaces of every user may use them); ask an admin");
        String name = ctx.pathParam("name");
        try {
            if (!images().delete(name)) {
                throw new NotFoundException("image '" + name + "' is not cached; see `hangar image list`");
            }
        } catch (ImageInUseException e) {
            List<String> users = e.workspaceIds().stream()
                    .map(id -> workspaceLabel.apply(id).orElse("id " + id))
                    .toList();
            throw new ConflictException(
                    "name",
                    "image '" + name + "' is still used by the disk of workspace" + (users.size() == 1 ? " " : "s ")
                            + String.join(", ", users) + "; delete " + (users.size() == 1 ? "it" : "them")
                            + " first (`hangar delete NAME`)");
        }
        ctx.status(204);
    }

    private static void requireAdmin(Context ctx, String what) {
        if (!BearerAuth.user(ctx).admin()) throw ApiException.forbidden("only admins may " + what);
    }

    private WorkspaceImages images() {
        return images.orElseThrow(() -> ApiException.unavailable(
                "images need the qemu provider, which is off on this server (providers.qemu.enabled: false)"));
    }

    /** The API's view: pulling and failed images show their progress; cached ones their size. */
    static ImageView view(ImageInfo i) {
        String state = i.state().name().toLowerCase(Locale.ROOT);
        return switch (i.state()) {
            case CACHED ->
                new ImageView(
                        i.name(),
                        i.description(),
                        i.source(),
                        state,
                        i.virtualSizeBytes(),
                        i.virtualSizeBytes(),
                        i.virtualSizeBytes(),
                        "");
            case PULLING, FAILED ->
                new ImageView(
                        i.name(),
                        i.description(),
                        i.source(),
                        state,
                        i.pull().bytesDone(),
                        i.pull().bytesTotal(),
                        0,
                        i.pull().error());
            case AVAILABLE -> new ImageView(i.name(), i.description(), i.source(), state, 0, -1, 0, "");
        };
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) throw new ValidationException(field, field + " is required");
        return value.strip();
    }
}
