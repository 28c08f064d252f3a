package dev.hangar.core.quota;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Workspace;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.Resources;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one user's workspaces use, as quotas count it (see {@link QuotaLimits} for what each field
 * sums). Immutable value.
 *
 * @param devices per device name, the count over the workspaces meant to run (names with 0 left out)
 */
public record QuotaUsage(int running, int cpus, long memoryMiB, long diskGiB, Map<String, Integer> devices) {

    /** Nothing in use. */
    public static final QuotaUsage NONE = new QuotaUsage(0, 0, 0, 0);

    /** Usage without devices. */
    public QuotaUsage(int running, int cpus, long memoryMiB, long diskGiB) {
        this(running, cpus, memoryMiB, diskGiB, Map.of());
    }

    public QuotaUsage {
        Map<String, Integer> m = new TreeMap<>();
        devices.forEach((k, v) -> {
            if (v != 0) m.put(k, v);
        });
        devices = Collections.unmodifiableMap(m);
    }

    /**
     * Sums the user's workspaces: running, vCPUs and memory over those whose desired state is
     * running; disk over all but those being deleted (desired deleted). The phase does not matter: a
     * workspace still provisioning or failed while meant to run counts, so a retry cannot overshoot.
     */
    public static QuotaUsage of(Collection<Workspace> workspaces) {
        QuotaUsage u = NONE;
        for (Workspace w : workspaces) {
            if (w.desired() == DesiredState.DELETED) continue;
            Resources r = w.parameters().resources();
            u = u.plus(
                    w.desired() == DesiredState.RUNNING
                            ? running(r, w.parameters().devices())
                            : stopped(r));
        }
        return u;
    }

    /** @return what a workspace of {@code r} adds when it is created (meant to run) */
    public static QuotaUsage running(Resources r) {
        return new QuotaUsage(1, r.cpus(), r.memoryMiB(), r.diskGiB());
    }

    /** @return what a workspace of {@code r} with {@code devices} adds when it is created (meant to run) */
    public static QuotaUsage running(Resources r, List<DeviceRequest> devices) {
        return new QuotaUsage(1, r.cpus(), r.memoryMiB(), r.diskGiB(), counts(devices));
    }

    /** @return what starting a stopped workspace of {@code r} with {@code devices} adds (its disk is counted already) */
    public static QuotaUsage starting(Resources r, List<DeviceRequest> devices) {
        return new QuotaUsage(1, r.cpus(), r.memoryMiB(), 0, counts(devices));
    }

    private static Map<String, Integer> counts(List<DeviceRequest> devices) {
        Map<String, Integer> m = new TreeMap<>();
        for (DeviceRequest d : devices) m.merge(d.name(), d.count(), Integer::sum);
        return m;
    }

    /** @return how many of device {@code name} this usage holds (0 when none) */
    public int device(String name) {
        return devices.getOrDefault(name, 0);
    }

    /** @return what a stopped workspace of {@code r} uses: its disk only */
    public static QuotaUsage stopped(Resources r) {
        return new QuotaUsage(0, 0, 0, r.diskGiB());
    }

    /** @return what starting a stopped workspace of {@code r} adds: running, vCPUs and memory (its disk is counted already) */
    public static QuotaUsage starting(Resources r) {
        return new QuotaUsage(1, r.cpus(), r.memoryMiB(), 0);
    }

    /** @return the field-wise sum */
    public QuotaUsage plus(QuotaUsage o) {
        Map<String, Integer> d = new TreeMap<>(devices);
        o.devices.forEach((k, v) -> d.merge(k, v, Integer::sum));
        return new QuotaUsage(running + o.running, cpus + o.cpus, memoryMiB + o.memoryMiB, diskGiB + o.diskGiB, d);
    }
}
