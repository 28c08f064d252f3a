package dev.hangar.server;

import dev.hangar.api.SecretView;
import dev.hangar.core.secret.SecretService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code /api/v1/secrets}: the caller's own secrets (issue #15, item 7). {@code GET} lists names,
 * sizes and update times, never values; {@code PUT /{name}} takes the raw value as {@code
 * application/octet-stream} (at most 64 KiB; raw rather than base64 JSON so the CLI streams a file
 * as is and no encoding step can leak or mangle it) and answers 200 with the stored secret's view
 * (never the value); {@code DELETE /{name}} answers 204, 404 when the caller has no such secret.
 * Every role manages only its own secrets, so another user's secret is not addressable at all;
 * auditors change nothing ({@link BearerAuth} answers 403). The value is never logged: it is read
 * into memory, sealed, and dropped.
 */
final class SecretRoutes {
    static final String BASE = "/api/v1/secrets";

    private final SecretService secrets;

    SecretRoutes(SecretService secrets) {
        this.secrets = secrets;
    }

    void register(RoutesConfig r) {
        r.get(
                BASE,
                ctx -> ctx.json(secrets.list(BearerAuth.user(ctx).name()).stream()
                        .map(SecretRoutes::view)
                        .toList()));
        r.put(BASE + "/{name}", this::set);
        r.delete(BASE + "/{name}", ctx -> {
            secrets.delete(BearerAuth.user(ctx).name(), ctx.pathParam("name"));
            ctx.status(204);
        });
    }

    private void set(Context ctx) {
        String name = ctx.pathParam("name");
        SecretService.checkName(name); // before reading the body: a bad name is 422 whatever the body
        byte[] value = RequestBodies.raw(ctx);
        try {
            ctx.json(view(secrets.set(BearerAuth.user(ctx).name(), name, value)));
        } finally {
            java.util.Arrays.fill(value, (byte) 0);
        }
    }

    static SecretView view(SecretService.SecretInfo s) {
        return new SecretView(s.name(), s.size(), s.updatedAt());
    }
}
