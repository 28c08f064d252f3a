package dev.hangar.server;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.reconcile.ReconcilerMetrics;
import dev.hangar.core.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's Prometheus metrics (Micrometer): HTTP request timings by method, route template and
 * status ({@code hangar_http_requests_seconds}), reconcile passes by provider and outcome ({@code
 * hangar_reconcile_passes_seconds}), provisioning phase durations as a histogram ({@code
 * hangar_provision_phase_seconds_bucket}) and workspaces by phase ({@code hangar_workspaces}),
 * counted from the store at scrape time, and the list answer cache's lookups by result ({@code
 * hangar_list_cache_lookups_total{result="hit|miss"}}) and kept bytes ({@code
 * hangar_list_cache_bytes}), and the failed-authentication audit entries dropped by a full queue
 * ({@code hangar_audit_dropped_total}, {@link dev.hangar.core.audit.AuditQueue}). Thread-safe.
 */
final class ServerMetrics implements ReconcilerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Phase, AtomicLong> byPhase = new EnumMap<>(Phase.class);
    private final Store store;
    private final Counter listCacheHits = listCacheLookups("hit");
    private final Counter listCacheMisses = listCacheLookups("miss");

    ServerMetrics(Store store) {
        this.store = store;
        for (Phase p : Phase.values()) {
            AtomicLong n = new AtomicLong();
            byPhase.put(p, n);
            Gauge.builder("hangar.workspaces", n, AtomicLong::get)
                    .description("Workspaces by observed phase")
                    .tag("phase", p.name())
                    .register(registry);
        }
    }

    private Counter listCacheLookups(String result) {
        return Counter.builder("hangar.list.cache.lookups")
                .description("Lookups in the workspace list answer cache by result (hit, miss)")
                .tag("result", result)
                .register(registry);
    }

    /** Records one HTTP request. {@code route} is the route template (e.g. {@code /api/v1/workspaces/{name}}), never the raw path. */
    void http(String method, String route, int status, Duration duration) {
        Timer.builder("hangar.http.requests")
                .description("HTTP requests handled by the API")
                .tag("method", method)
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record(duration);
    }

    @Override
    public void phaseTiming(String providerType, String phase, Duration duration) {
        Timer.builder("hangar.provision.phase")
                .description("Duration of provisioning phases (image, disk, seed, boot, ssh-ready)")
                .tag("provider", providerType)
                .tag("phase", phase)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry)
                .record(duration);
    }

    @Override
    public void pass(String providerType, String outcome, Duration duration) {
        Timer.builder("hangar.reconcile.passes")
                .description("Reconcile passes by provider and outcome (ok, retry, failed)")
                .tag("provider", providerType)
                .tag("outcome", outcome)
                .register(registry)
                .record(duration);
    }

    /** Counts one lookup in the list answer cache ({@link ListPageCache}). */
    void listPageCacheLookup(boolean hit) {
        (hit ? listCacheHits : listCacheMisses).increment();
    }

    /** Publishes the bytes {@code cache} keeps as a gauge; @return {@code cache} */
    ListPageCache listPageCache(ListPageCache cache) {
        Gauge.builder("hangar.list.cache.bytes", cache, ListPageCache::bytes)
                .description("Bytes of workspace list answers kept by the list cache")
                .register(registry);
        return cache;
    }

    /** Publishes {@code failedAuth}'s dropped entries as {@code hangar_audit_dropped_total}; @return {@code failedAuth} */
    dev.hangar.core.audit.AuditQueue auditQueue(dev.hangar.core.audit.AuditQueue failedAuth) {
        io.micrometer.core.instrument.FunctionCounter.builder(
                        "hangar.audit.dropped", failedAuth, dev.hangar.core.audit.AuditQueue::dropped)
                .description("Audit entries of failed authentications dropped because the audit queue was full")
                .register(registry);
        return failedAuth;
    }

    /** @return the Prometheus text exposition, after refreshing the workspace counts from the store */
    String scrape() {
        Map<Phase, Long> counts = store.workspaces().countByPhase();
        byPhase.forEach((p, n) -> n.set(counts.getOrDefault(p, 0L)));
        return registry.scrape();
    }
}
