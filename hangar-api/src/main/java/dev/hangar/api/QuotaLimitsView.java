package dev.hangar.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Quota limits on the wire; a null field is unlimited (in a per-user override, and in the body of
 * {@code PUT /api/v1/users/{name}/quota}: not overridden, the role's limit applies).
 *
 * @param running workspaces meant to run (desired state running) at once
 * @param cpus vCPUs summed over the workspaces meant to run
 * @param memoryMiB memory in MiB summed over the workspaces meant to run
 * @param diskGiB disk in GiB summed over every workspace not being deleted
 * @param devices per device (issue #19), the count summed over the workspaces meant to run, by name;
 *     a device not listed is unlimited (in an override: not overridden). A count may be 0 (none of
 *     that device). Empty, and left out of the JSON, for none; never null after construction
 */
public record QuotaLimitsView(
        Integer running,
        Integer cpus,
        Long memoryMiB,
        Long diskGiB,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DeviceView> devices) {
    /** No field set: as a role's or effective limits, unlimited; as an override, none. */
    public static final QuotaLimitsView NONE = new QuotaLimitsView(null, null, null, null);

    public QuotaLimitsView {
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** Limits without device limits. */
    public QuotaLimitsView(Integer running, Integer cpus, Long memoryMiB, Long diskGiB) {
        this(running, cpus, memoryMiB, diskGiB, List.of());
    }

    /** @return these limits with {@code deviceLimits} as the device limits (replacing any) */
    public QuotaLimitsView withDevices(List<DeviceView> deviceLimits) {
        return new QuotaLimitsView(running, cpus, memoryMiB, diskGiB, deviceLimits);
    }
}
