package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@code delete} phase timing of both Kubernetes providers, reported once per deletion: a
 * workspace's deletion takes several {@code delete} calls (Stopping while objects are found, Absent
 * once none is), and the phase is the time from the first of them to the one that answered Absent,
 * not each call's. A server restart in between starts the clock again at its first call.
 * Thread-safe; calls for different workspaces may run concurrently.
 */
public final class DeletionTimer {
    private final Clock clock;
    /** Per workspace being deleted: when its first {@code delete} call started. */
    private final ConcurrentMap<String, Instant> started = new ConcurrentHashMap<>();

    public DeletionTimer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Notes the start of a {@code delete} call for the workspace (only the first one counts). */
    public void calling(String workspaceId) {
        started.putIfAbsent(workspaceId, clock.instant());
    }

    /**
     * Reports the {@code delete} phase timing when {@code result} is Absent (the deletion is over),
     * else nothing.
     *
     * @return {@code result}
     */
    public Observation answered(String workspaceId, Observation result, ProviderListener listener) {
        if (result instanceof Observation.Absent) {
            Instant start = started.remove(workspaceId);
            if (start != null) listener.phaseTiming("delete", Duration.between(start, clock.instant()));
        }
        return result;
    }
}
