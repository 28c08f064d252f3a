package dev.hangar.server;

import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.service.UserService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code /api/v1/users/me} and its SSH keys (list, add, remove by SHA256 fingerprint). */
final class UserRoutes {
    private final UserService users;

    UserRoutes(UserService users) {
        this.users = users;
    }

    void register(RoutesConfig r) {
        r.get("/api/v1/users/me", ctx -> ctx.json(Views.user(BearerAuth.user(ctx))));
        r.get(
                "/api/v1/users/me/keys",
                ctx -> ctx.json(users.keys(BearerAuth.user(ctx).name()).stream()
                        .map(Views::key)
                        .toList()));
        r.post("/api/v1/users/me/keys", this::add);
        r.delete("/api/v1/users/me/keys", this::remove);
    }

    private void add(Context ctx) {
        AddSshKeyRequest req = RequestBodies.read(ctx, AddSshKeyRequest.class);
        User u = BearerAuth.user(ctx);
        UserSshKey k = users.addKey(u.name(), req.key() == null ? "" : req.key());
        ctx.status(201)
                .header(
                        "Location",
                        "/api/v1/users/me/keys?fingerprint="
                                + URLEncoder.encode(k.key().fingerprint(), StandardCharsets.UTF_8))
                .json(Views.key(k));
    }

    private void remove(Context ctx) {
        String fp = ctx.queryParam("fingerprint");
        if (fp == null || fp.isBlank())
            throw ApiException.badRequest(
                    "fingerprint", "query parameter 'fingerprint' is required, e.g. ?fingerprint=SHA256:...");
        // '+' is part of base64 but decodes to a space in an unencoded query string; fingerprints have no spaces
        users.removeKey(BearerAuth.user(ctx).name(), fp.strip().replace(' ', '+'));
        ctx.status(204);
    }
}
