package dev.hangar.server;

import dev.hangar.api.ServerInfo;
import dev.hangar.core.store.Store;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Operational endpoints: {@code /healthz} (liveness), {@code /readyz} (startup finished and store reachable; its
 * body also says whether this replica leads, see {@link Leadership}), {@code
 * /metrics} (Prometheus text format 0.0.4), {@code /api/v1/openapi.yaml} (the API description) and
 * {@code /api/v1/info} (version and SSH gateway). Only {@code /api/v1/info} needs a token.
 */
final class SystemRoutes {
    /** Classpath location of the OpenAPI document (in hangar-api). */
    static final String OPENAPI_RESOURCE = "/dev/hangar/api/openapi.yaml";

    static final String OPENAPI_PATH = "/api/v1/openapi.yaml";

    private final Store store;
    private final ServerMetrics metrics;
    private final Supplier<GatewayHook.GatewayInfo> gateway;
    private final BooleanSupplier started;
    private final Supplier<Leadership> leadership;
    private final byte[] openapi;

    /**
     * @param started true once startup finished (CLI config written, reconciler and gateway
     *     running); {@code /readyz} answers 503 before
     */
    SystemRoutes(
            Store store,
            ServerMetrics metrics,
            Supplier<GatewayHook.GatewayInfo> gateway,
            BooleanSupplier started,
            Supplier<Leadership> leadership) {
        this.leadership = leadership;
        this.store = store;
        this.metrics = metrics;
        this.gateway = gateway;
        this.started = started;
        this.openapi = resource(OPENAPI_RESOURCE);
    }

    void register(RoutesConfig r) {
        r.get("/healthz", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok\n"));
        r.get("/readyz", ctx -> {
            if (!started.getAsBoolean()) {
                ProblemMapper.send(ctx, 503, "not-ready", "", "the server is still starting");
            } else if (store.ping()) {
                Map<String, Object> body = new java.util.LinkedHashMap<>();
                body.put("status", "ready");
                body.put("store", store.describe());
                body.putAll(leadership.get().asMap());
                ctx.json(body);
            } else {
                ProblemMapper.send(ctx, 503, "not-ready", "", "the store (" + store.describe() + ") does not answer");
            }
        });
        r.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape()));
        r.get(OPENAPI_PATH, ctx -> ctx.contentType("application/yaml").result(openapi));
        r.get("/api/v1/info", ctx -> {
            GatewayHook.GatewayInfo g = gateway.get();
            ctx.json(new ServerInfo(Version.get(), g.host(), g.port(), g.hostKey()));
        });
    }

    private static byte[] resource(String name) {
        try (InputStream in = SystemRoutes.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the classpath (hangar-api jar)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
