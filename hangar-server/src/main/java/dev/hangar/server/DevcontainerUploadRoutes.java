package dev.hangar.server;

import dev.hangar.api.DevcontainerUploadView;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceFilter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code POST /api/v1/devcontainer-uploads?name=NAME}: a folder from the CLI's machine for {@code
 * hangar create --devcontainer DIR}, as an {@code application/x-tar} body of at most {@value
 * #MAX_ARCHIVE_BYTES} bytes (else 413), unpacked by {@link DevcontainerUploads} into a new folder of
 * the server's own; answers 201 with that folder's path, which the create request then names as
 * {@code devcontainer}. Any member may upload (auditors change nothing: {@link BearerAuth} answers
 * 403). Before each upload, uploads older than a day that no workspace names are removed.
 */
final class DevcontainerUploadRoutes {
    static final String BASE = "/api/v1/devcontainer-uploads";
    static final long MAX_ARCHIVE_BYTES = 256L << 20;
    private static final Duration KEEP_UNUSED = Duration.ofDays(1);

    private final DevcontainerUploads uploads;
    private final Store store;
    private final Clock clock;

    DevcontainerUploadRoutes(DevcontainerUploads uploads, Store store, Clock clock) {
        this.uploads = uploads;
        this.store = store;
        this.clock = clock;
    }

    void register(RoutesConfig r) {
        r.post(BASE, this::upload);
    }

    private void upload(Context ctx) {
        String user = BearerAuth.user(ctx).name();
        String contentType = ctx.contentType();
        String base =
                contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!base.equals("application/x-tar"))
            throw ApiException.unsupportedMediaType(
                    "request body must be application/x-tar (the folder as a tar archive), got '" + contentType + "'");
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_ARCHIVE_BYTES) throw tooLarge();
        String name = ctx.queryParam("name");
        if (name == null || name.isBlank())
            throw ApiException.badRequest("name", "query parameter name (the folder's base name) is required");
        Set<String> inUse = store.workspaces().list(WorkspaceFilter.ALL).stream()
                .map(w -> w.parameters().devcontainer())
                .filter(d -> !d.isEmpty())
                .collect(Collectors.toSet());
        uploads.sweep(inUse, clock.instant().minus(KEEP_UNUSED));
        try (InputStream in = new Limited(ctx.req().getInputStream(), MAX_ARCHIVE_BYTES)) {
            var dir = uploads.unpack(in, user, name.strip());
            ctx.status(201).json(new DevcontainerUploadView(dir.toString()));
        } catch (IOException e) {
            throw ApiException.badRequest("", "could not read the request body: " + e.getMessage());
        }
    }

    private static ApiException tooLarge() {
        return ApiException.tooLarge("the devcontainer archive is larger than " + (MAX_ARCHIVE_BYTES >> 20)
                + " MiB; leave build outputs and dependencies out of the folder, or name a folder on the server host"
                + " (--devcontainer server:/PATH)");
    }

    /** Fails the read past {@code max} bytes, so a chunked body without Content-Length is caught too. */
    private static final class Limited extends FilterInputStream {
        private long left;

        Limited(InputStream in, long max) {
            super(in);
            this.left = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --left < 0) throw tooLarge();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (left -= n) < 0) throw tooLarge();
            return n;
        }
    }
}
