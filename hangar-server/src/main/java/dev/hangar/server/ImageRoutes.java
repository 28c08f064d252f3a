package dev.hangar.server;

import dev.hangar.api.ImportImageRequest;
import dev.hangar.api.PullImageRequest;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.provider.spi.ProviderException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code /api/v1/images}: list (catalog plus cache), get one with pull progress, pull in the
 * background (202) and import a file on the server host (201, admins only). Present even when the
 * qemu provider is off: the list is then empty and writes answer 503 saying so.
 */
final class ImageRoutes {
    static final String BASE = "/api/v1/images";

    private final Optional<ImagePulls> images;

    ImageRoutes(Optional<ImagePulls> images) {
        this.images = images;
    }

    void register(RoutesConfig r) {
        r.get(BASE, ctx -> ctx.json(images.map(ImagePulls::list).orElse(List.of())));
        r.get(BASE + "/{name}", this::get);
        r.post(BASE + "/pull", this::pull);
        r.post(BASE + "/import", this::importImage);
    }

    private void get(Context ctx) {
        String name = ctx.pathParam("name");
        ctx.json(images().view(name)
                .orElseThrow(() -> new NotFoundException(
                        "image '" + name + "' is neither cached nor in the image catalog; see `hangar image list`")));
    }

    private void pull(Context ctx) {
        PullImageRequest req = RequestBodies.read(ctx, PullImageRequest.class);
        String name = required("name", req.name());
        try {
            ctx.status(202).json(images().pull(name));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("name", e.getMessage());
        }
    }

    private void importImage(Context ctx) {
        if (!BearerAuth.user(ctx).admin())
            throw ApiException.forbidden(
                    "only admins may import images (the path is read on the server host); ask an admin, or pull a"
                            + " catalog image");
        ImportImageRequest req = RequestBodies.read(ctx, ImportImageRequest.class);
        String name = required("name", req.name());
        String raw = required("path", req.path());
        Path path = Path.of(raw);
        if (!path.isAbsolute())
            throw new ValidationException("path", "path must be absolute on the server host, got '" + raw + "'");
        ImagePulls pulls = images();
        if (pulls.isCached(name))
            throw new ConflictException(
                    "name", "image '" + name + "' is already cached; choose another name or delete the cached one");
        try {
            ctx.status(201).json(pulls.importImage(path, name));
        } catch (ProviderException e) {
            throw new ValidationException(e.getMessage().startsWith("image name") ? "name" : "path", e.getMessage());
        }
    }

    private ImagePulls images() {
        return images.orElseThrow(() -> ApiException.unavailable(
                "images need the qemu provider, which is off on this server (providers.qemu.enabled: false)"));
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) throw new ValidationException(field, field + " is required");
        return value.strip();
    }
}
