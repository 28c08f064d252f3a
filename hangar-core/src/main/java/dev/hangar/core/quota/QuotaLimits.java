package dev.hangar.core.quota;

import dev.hangar.core.domain.ValidationException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Upper bounds on what one user's workspaces may use; an empty field is unlimited (in a per-user
 * override: "not overridden", the role's limit applies). Immutable value.
 *
 * @param running workspaces meant to run (desired state running) at once
 * @param cpus vCPUs summed over the workspaces meant to run
 * @param memoryMiB memory in MiB summed over the workspaces meant to run
 * @param diskGiB disk in GiB summed over every workspace not being deleted (a stopped one keeps its disk)
 * @param devices per device name (e.g. {@code nvidia.com/gpu}), the count summed over the
 *     workspaces meant to run, like vCPUs; a device not in the map is unlimited. Immutable
 */
public record QuotaLimits(
        OptionalInt running,
        OptionalInt cpus,
        OptionalLong memoryMiB,
        OptionalLong diskGiB,
        Map<String, Integer> devices) {

    /** No limit at all: the default of every role. */
    public static final QuotaLimits UNLIMITED =
            new QuotaLimits(OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty());

    /** Limits without device limits. */
    public QuotaLimits(OptionalInt running, OptionalInt cpus, OptionalLong memoryMiB, OptionalLong diskGiB) {
        this(running, cpus, memoryMiB, diskGiB, Map.of());
    }

    /** @throws ValidationException naming the field when a limit is negative (0 is allowed: nothing) */
    public QuotaLimits {
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(memoryMiB, "memoryMiB");
        Objects.requireNonNull(diskGiB, "diskGiB");
        if (running.orElse(0) < 0) throw negative("running");
        if (cpus.orElse(0) < 0) throw negative("cpus");
        if (memoryMiB.orElse(0) < 0) throw negative("memoryMiB");
        if (diskGiB.orElse(0) < 0) throw negative("diskGiB");
        devices = new TreeMap<>(devices);
        for (Map.Entry<String, Integer> e : devices.entrySet())
            if (e.getValue() < 0) throw negative("devices." + e.getKey());
        devices = Collections.unmodifiableMap(devices);
    }

    /** @return these limits with {@code deviceLimits} as the device limits (replacing any) */
    public QuotaLimits withDevices(Map<String, Integer> deviceLimits) {
        return new QuotaLimits(running, cpus, memoryMiB, diskGiB, deviceLimits);
    }

    /** @return true when no field is limited */
    public boolean unlimited() {
        return equals(UNLIMITED);
    }

    /** @return these limits with every field that {@code override} sets replaced by the override's value */
    public QuotaLimits overriddenBy(QuotaLimits override) {
        return new QuotaLimits(
                override.running.isPresent() ? override.running : running,
                override.cpus.isPresent() ? override.cpus : cpus,
                override.memoryMiB.isPresent() ? override.memoryMiB : memoryMiB,
                override.diskGiB.isPresent() ? override.diskGiB : diskGiB,
                merged(devices, override.devices));
    }

    private static Map<String, Integer> merged(Map<String, Integer> base, Map<String, Integer> override) {
        Map<String, Integer> m = new TreeMap<>(base);
        m.putAll(override);
        return m;
    }

    private static ValidationException negative(String field) {
        return new ValidationException(field, field + " limit must be 0 or more; leave it out for no limit");
    }
}
