package dev.hangar.server;

import dev.hangar.api.CreateTokenRequest;
import dev.hangar.api.CreatedTokenView;
import dev.hangar.core.service.Tokens;
import dev.hangar.core.service.UserService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code /api/v1/users/me/tokens}: the caller's own API tokens (create, list, revoke by name). Every
 * role manages its own tokens only; the secret appears once, in the 201 answer of create.
 */
final class TokenRoutes {
    private static final String BASE = "/api/v1/users/me/tokens";

    private final UserService users;

    TokenRoutes(UserService users) {
        this.users = users;
    }

    void register(RoutesConfig r) {
        r.get(
                BASE,
                ctx -> ctx.json(users.tokens(BearerAuth.user(ctx).name()).stream()
                        .map(Views::token)
                        .toList()));
        r.post(BASE, this::create);
        r.delete(BASE + "/{name}", ctx -> {
            users.revokeToken(BearerAuth.user(ctx).name(), ctx.pathParam("name"));
            ctx.status(204);
        });
    }

    private void create(Context ctx) {
        CreateTokenRequest req = RequestBodies.read(ctx, CreateTokenRequest.class);
        Optional<Duration> lifetime = req.expires() == null || req.expires().isBlank()
                ? Optional.empty()
                : Optional.of(Tokens.parseLifetime("expires", req.expires()));
        Tokens.Created created =
                users.createToken(BearerAuth.user(ctx).name(), req.name() == null ? "" : req.name(), lifetime);
        ctx.status(201)
                .header("Location", BASE + "/" + created.stored().name())
                .json(new CreatedTokenView(Views.token(created.stored()), created.token()));
    }
}
