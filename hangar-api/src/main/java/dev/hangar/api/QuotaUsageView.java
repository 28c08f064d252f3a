package dev.hangar.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a user's workspaces use, as quotas count it.
 *
 * @param running workspaces whose desired state is running (whatever their phase)
 * @param cpus vCPUs of those
 * @param memoryMiB memory of those, in MiB
 * @param diskGiB disk of every workspace not being deleted (stopped ones keep theirs), in GiB
 * @param devices the devices of the workspaces meant to run (issue #19), per device name, by name;
 *     devices with 0 in use are not listed. Empty, and left out of the JSON, for none; never null
 *     after construction
 */
public record QuotaUsageView(
        int running,
        int cpus,
        long memoryMiB,
        long diskGiB,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DeviceView> devices) {
    public QuotaUsageView {
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** Usage without devices. */
    public QuotaUsageView(int running, int cpus, long memoryMiB, long diskGiB) {
        this(running, cpus, memoryMiB, diskGiB, List.of());
    }
}
