package dev.hangar.api;

/**
 * Quota limits on the wire; a null field is unlimited (in a per-user override, and in the body of
 * {@code PUT /api/v1/users/{name}/quota}: not overridden, the role's limit applies).
 *
 * @param running workspaces meant to run (desired state running) at once
 * @param cpus vCPUs summed over the workspaces meant to run
 * @param memoryMiB memory in MiB summed over the workspaces meant to run
 * @param diskGiB disk in GiB summed over every workspace not being deleted
 */
public record QuotaLimitsView(Integer running, Integer cpus, Long memoryMiB, Long diskGiB) {
    /** No field set: as a role's or effective limits, unlimited; as an override, none. */
    public static final QuotaLimitsView NONE = new QuotaLimitsView(null, null, null, null);
}
