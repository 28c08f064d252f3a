package dev.hangar.server;

import dev.hangar.api.QuotaLimitsView;
import dev.hangar.api.QuotaUsageView;
import dev.hangar.api.QuotaView;
import dev.hangar.core.domain.User;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.service.QuotaService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * {@code /api/v1/users/{name}/quota}: {@code GET} for admins and auditors (any user) and members
 * (themselves only; anyone else is 404, so names cannot be probed); {@code me} names the caller.
 * {@code PUT} (admins only, 403 otherwise) replaces the user's per-user override.
 */
final class QuotaRoutes {
    private static final String PATH = "/api/v1/users/{name}/quota";

    private final QuotaService quotas;

    QuotaRoutes(QuotaService quotas) {
        this.quotas = quotas;
    }

    void register(RoutesConfig r) {
        r.get(PATH, ctx -> ctx.json(view(quotas.status(BearerAuth.user(ctx), name(ctx)))));
        r.put(PATH, ctx -> {
            if (!BearerAuth.user(ctx).admin()) throw ApiException.forbidden("only admins may set quotas");
            QuotaLimitsView body = RequestBodies.read(ctx, QuotaLimitsView.class);
            ctx.json(view(quotas.setOverride(name(ctx), limits(body))));
        });
    }

    private static String name(Context ctx) {
        String n = ctx.pathParam("name");
        return n.equals("me") ? BearerAuth.user(ctx).name() : n;
    }

    private static QuotaLimits limits(QuotaLimitsView v) {
        return new QuotaLimits(
                v.running() == null ? OptionalInt.empty() : OptionalInt.of(v.running()),
                v.cpus() == null ? OptionalInt.empty() : OptionalInt.of(v.cpus()),
                v.memoryMiB() == null ? OptionalLong.empty() : OptionalLong.of(v.memoryMiB()),
                v.diskGiB() == null ? OptionalLong.empty() : OptionalLong.of(v.diskGiB()));
    }

    static QuotaLimitsView view(QuotaLimits l) {
        return new QuotaLimitsView(
                l.running().isPresent() ? l.running().getAsInt() : null,
                l.cpus().isPresent() ? l.cpus().getAsInt() : null,
                l.memoryMiB().isPresent() ? l.memoryMiB().getAsLong() : null,
                l.diskGiB().isPresent() ? l.diskGiB().getAsLong() : null);
    }

    static QuotaView view(QuotaPolicy.Status s) {
        User u = s.user();
        return new QuotaView(
                u.name(),
                u.role().wireName(),
                view(s.role()),
                s.override().map(QuotaRoutes::view).orElse(null),
                view(s.effective()),
                new QuotaUsageView(
                        s.used().running(),
                        s.used().cpus(),
                        s.used().memoryMiB(),
                        s.used().diskGiB()));
    }
}
