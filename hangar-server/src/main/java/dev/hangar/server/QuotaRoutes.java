package dev.hangar.server;

import dev.hangar.api.DeviceView;
import dev.hangar.api.QuotaLimitsView;
import dev.hangar.api.QuotaUsageView;
import dev.hangar.api.QuotaView;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.service.QuotaService;
import dev.hangar.provider.spi.DeviceRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * {@code /api/v1/users/{name}/quota}: {@code GET} for admins and auditors (any user) and members
 * (themselves only; anyone else is 404, so names cannot be probed); {@code me} names the caller.
 * {@code PUT} (admins only, 403 otherwise) replaces the user's per-user override, device limits
 * included (a device left out of the body's {@code devices} falls back to the role's limit).
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

    /**
     * @throws ValidationException naming {@code devices[i].name} or {@code devices[i].count} for a
     *     device limit without a valid extended-resource name, listed twice, or without a count of 0
     *     or more (the other fields' negatives are refused by {@link QuotaLimits})
     */
    static QuotaLimits limits(QuotaLimitsView v) {
        Map<String, Integer> devices = new TreeMap<>();
        for (int i = 0; i < v.devices().size(); i++) {
            DeviceView d = v.devices().get(i);
            String field = "devices[" + i + "]";
            if (d == null) throw new ValidationException(field, field + " must be an object {name, count}");
            if (d.name() == null)
                throw new ValidationException(field + ".name", field + ".name is required, e.g. nvidia.com/gpu");
            String problem = DeviceRequest.nameProblem(d.name());
            if (!problem.isEmpty()) throw new ValidationException(field + ".name", field + ".name: " + problem);
            if (d.count() == null || d.count() < 0)
                throw new ValidationException(
                        field + ".count",
                        field + ".count must be 0 or more"
                                + (d.count() == null ? " (it is missing)" : ", got " + d.count())
                                + "; leave the device out for the role's limit");
            if (devices.put(d.name(), d.count()) != null)
                throw new ValidationException(
                        field + ".name", field + ".name: device " + d.name() + " is listed twice");
        }
        return new QuotaLimits(
                v.running() == null ? OptionalInt.empty() : OptionalInt.of(v.running()),
                v.cpus() == null ? OptionalInt.empty() : OptionalInt.of(v.cpus()),
                v.memoryMiB() == null ? OptionalLong.empty() : OptionalLong.of(v.memoryMiB()),
                v.diskGiB() == null ? OptionalLong.empty() : OptionalLong.of(v.diskGiB()),
                devices);
    }

    static QuotaLimitsView view(QuotaLimits l) {
        return new QuotaLimitsView(
                l.running().isPresent() ? l.running().getAsInt() : null,
                l.cpus().isPresent() ? l.cpus().getAsInt() : null,
                l.memoryMiB().isPresent() ? l.memoryMiB().getAsLong() : null,
                l.diskGiB().isPresent() ? l.diskGiB().getAsLong() : null,
                devices(l.devices()));
    }

    private static List<DeviceView> devices(Map<String, Integer> counts) {
        return new TreeMap<>(counts)
                .entrySet().stream()
                        .map(e -> new DeviceView(e.getKey(), e.getValue()))
                        .toList();
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
                        s.used().diskGiB(),
                        devices(s.used().devices())));
    }
}
