package dev.hangar.server.dashboard;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.provider.spi.ImageInfo;
import dev.hangar.provider.spi.UnknownImageException;
import dev.hangar.provider.spi.WorkspaceImages;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The images page: every catalog and cached image of the provider that offers images (the same
 * {@link WorkspaceImages} as {@code /api/v1/images}), and a pull form whose progress bar {@code
 * images.js} fills by polling {@code /ui/images/status?name=...} (JSON: state, bytes done, bytes
 * total, error). Like the API, every signed-in user may list and pull (auditors only list); a name
 * the catalog does not know is shown next to the field. Thread-safe.
 */
final class ImagePages {
    private final Optional<WorkspaceImages> images;
    private final AuditLog audit;

    ImagePages(Optional<WorkspaceImages> images, AuditLog audit) {
        this.images = images;
        this.audit = audit;
    }

    void list(Context ctx, Signed s) {
        render(ctx, s, 200, q(ctx, "pulling"), "", "");
    }

    /** Starts a background pull ({@link WorkspaceImages#pull}); back to the page, which shows its progress. */
    void pull(Context ctx, Signed s) {
        String name = Optional.ofNullable(ctx.formParam("name")).orElse("").strip();
        String me = s.user().name();
        if (!s.mayChangeWorkspaces()) {
            audit.record(me, "image.pull", name, DashboardRoutes.source(ctx), "403");
            throw new DashboardRoutes.ForbiddenException("auditors read everything and change nothing");
        }
        if (name.isEmpty()) {
            render(ctx, s, 422, "", "name is required", name);
            return;
        }
        WorkspaceImages all = available();
        try {
            all.pull(name);
        } catch (UnknownImageException e) {
            audit.record(me, "image.pull", name, DashboardRoutes.source(ctx), "422");
            render(ctx, s, 422, "", e.getMessage(), name);
            return;
        }
        audit.record(me, "image.pull", name, DashboardRoutes.source(ctx), "ok");
        ctx.redirect("/ui/images?pulling=" + URLEncoder.encode(name, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
    }

    /** One image's state and progress as JSON, for the progress bar. */
    void status(Context ctx, Signed s) {
        String name = q(ctx, "name");
        ImageInfo i = available()
                .find(name)
                .orElseThrow(() -> new NotFoundException("image '" + name + "' is neither cached nor in the catalog"));
        ctx.json(new Pages.ImageStatus(
                i.name(),
                state(i),
                i.pull().bytesDone(),
                i.pull().bytesTotal(),
                i.pull().error()));
    }

    private void render(Context ctx, Signed s, int status, String pulling, String error, String typed) {
        List<Pages.ImageRow> rows = images.map(WorkspaceImages::list).orElse(List.of()).stream()
                .map(ImagePages::row)
                .toList();
        Renderer.html(
                ctx,
                status,
                "images.jte",
                "page",
                new Pages.ImageList(
                        s.chrome("images"), rows, images.isPresent(), pulling, error, typed, s.mayChangeWorkspaces()));
    }

    private WorkspaceImages available() {
        return images.orElseThrow(() -> new ProviderUnavailableException(
                "images need a provider that offers them (today qemu), which is off on this server"));
    }

    private static Pages.ImageRow row(ImageInfo i) {
        return new Pages.ImageRow(
                i.name(),
                i.description(),
                i.source(),
                state(i),
                i.virtualSizeBytes(),
                i.pull().bytesDone(),
                i.pull().bytesTotal(),
                i.pull().error(),
                "/ui/images/status?name=" + URLEncoder.encode(i.name(), StandardCharsets.UTF_8));
    }

    private static String state(ImageInfo i) {
        return i.state().name().toLowerCase(Locale.ROOT);
    }

    private static String q(Context ctx, String key) {
        String v = ctx.queryParam(key);
        return v == null ? "" : v.strip();
    }
}
