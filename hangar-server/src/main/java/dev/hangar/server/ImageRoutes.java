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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code /api/v1/images}: list (every provider's images, each naming its provider: qemu's catalog
 * plus cache, the container engine's images), get one with pull progress, pull in the background
 * (202), import a file on the server host (201, admins only) and delete an image (204, admins only;
 * 409 naming the workspaces that still use it). Backed by the {@link WorkspaceImages} each provider
 * offers, whichever providers those are; a request picks one with {@code provider} (the body's field
 * for import, the query parameter {@code ?provider=} for get and delete), else the only one there
 * is, else (get, pull, delete) the first in provider-type order that knows the name. Present even
 * when no provider offers images: the list is then empty and the other routes answer 503 saying so.
 */
final class ImageRoutes {
    static final String BASE = "/api/v1/images";

    private final Map<String, WorkspaceImages> images;
    private final Function<String, Optional<String>> workspaceLabel;

    /**
     * @param images each provider type that offers images to its images, in the order lookups try them
     * @param workspaceLabel a workspace id to how users know it ({@code owner/name}), empty for an
     *     id the store does not know
     */
    ImageRoutes(Map<String, WorkspaceImages> images, Function<String, Optional<String>> workspaceLabel) {
        this.images = new LinkedHashMap<>(images);
        this.workspaceLabel = workspaceLabel;
    }

    /**
     * @return the images the dashboard shows (VM base images with their pull form): qemu's when it
     *     offers them, else the first provider's
     */
    Optional<WorkspaceImages> offered() {
        return Optional.ofNullable(images.get("qemu"))
                .or(() -> images.values().stream().findFirst());
    }

    void register(RoutesConfig r) {
        r.get(BASE, ctx -> {
            List<ImageView> all = new ArrayList<>();
            images.forEach((provider, imgs) -> imgs.list().forEach(i -> all.add(view(i, provider))));
            ctx.json(all);
        });
        r.get(BASE + "/{name}", this::get);
        r.delete(BASE + "/{name}", this::delete);
        r.post(BASE + "/pull", this::pull);
        r.post(BASE + "/import", this::importImage);
    }

    private void get(Context ctx) {
        String name = ctx.pathParam("name");
        Map.Entry<String, WorkspaceImages> p = knowing(name, ctx.queryParam("provider"));
        ctx.json(view(
                p.getValue()
                        .find(name)
                        .orElseThrow(() -> new NotFoundException("image '" + name
                                + "' is neither cached nor in the image catalog; see `hangar image list`")),
                p.getKey()));
    }

    private void pull(Context ctx) {
        PullImageRequest req = RequestBodies.read(ctx, PullImageRequest.class);
        String name = required("name", req.name());
        Map.Entry<String, WorkspaceImages> p = knowing(name, null);
        try {
            ctx.status(202).json(view(p.getValue().pull(name), p.getKey()));
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
        Map.Entry<String, WorkspaceImages> p = chosen(req.provider());
        WorkspaceImages all = p.getValue();
        if (all.find(name).map(i -> i.state() == ImageState.CACHED).orElse(false))
            throw new ConflictException(
                    "name",
                    "image '" + name + "' is already cached; choose another name or delete the cached one (`hangar"
                            + " image delete " + name + "`)");
        try {
            ctx.status(201).json(view(all.importImage(path, name), p.getKey()));
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
            if (!knowing(name, ctx.queryParam("provider")).getValue().delete(name)) {
                throw new NotFoundException("image '" + name + "' is not cached; see `hangar image list`");
            }
        } catch (ImageInUseException e) {
            List<String> users = e.workspaceIds().stream()
                    .map(id -> workspaceLabel.apply(id).orElse("id " + id))
                    .toList();
            throw new ConflictException(
                    "name",
                    "image '" + name + "' is still used by workspace" + (users.size() == 1 ? " " : "s ")
                            + String.join(", ", users) + "; delete " + (users.size() == 1 ? "it" : "them")
                            + " first (`hangar delete NAME`)");
        }
        ctx.status(204);
    }

    /**
     * @return the provider named by {@code provider}, else the only one, else the first that knows
     *     {@code name}, else the first (whose answer then says the name is unknown)
     */
    private Map.Entry<String, WorkspaceImages> knowing(String name, String provider) {
        if ((provider != null && !provider.isBlank()) || images.size() <= 1) return chosen(provider);
        return images.entrySet().stream()
                .filter(e -> e.getValue().find(name).isPresent())
                .findFirst()
                .orElseGet(() -> images.entrySet().iterator().next());
    }

    /** @return the images of {@code provider}, or of the only provider when it is null or blank */
    private Map.Entry<String, WorkspaceImages> chosen(String provider) {
        if (images.isEmpty())
            throw ApiException.unavailable("no provider on this server offers images (images need providers.qemu"
                    + " or providers.docker enabled)");
        if (provider == null || provider.isBlank()) {
            if (images.size() == 1) return images.entrySet().iterator().next();
            throw new ValidationException(
                    "provider",
                    "several providers offer images (" + String.join(", ", images.keySet())
                            + "); say which with provider (CLI: --provider)");
        }
        WorkspaceImages p = images.get(provider.strip());
        if (p == null)
            throw new ValidationException(
                    "provider",
                    "provider '" + provider + "' offers no images on this server; choose one of "
                            + String.join(", ", images.keySet()));
        return Map.entry(provider.strip(), p);
    }

    private static void requireAdmin(Context ctx, String what) {
        if (!BearerAuth.user(ctx).admin()) throw ApiException.forbidden("only admins may " + what);
    }

    /** The API's view: pulling and failed images show their progress; cached ones their size. */
    static ImageView view(ImageInfo i, String provider) {
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
                        "",
                        provider);
            case PULLING, FAILED ->
                new ImageView(
                        i.name(),
                        i.description(),
                        i.source(),
                        state,
                        i.pull().bytesDone(),
                        i.pull().bytesTotal(),
                        0,
                        i.pull().error(),
                        provider);
            case AVAILABLE -> new ImageView(i.name(), i.description(), i.source(), state, 0, -1, 0, "", provider);
        };
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) throw new ValidationException(field, field + " is required");
        return value.strip();
    }
}
