package dev.hangar.api;

/**
 * What a user's workspaces use, as quotas count it.
 *
 * @param running workspaces whose desired state is running (whatever their phase)
 * @param cpus vCPUs of those
 * @param memoryMiB memory of those, in MiB
 * @param diskGiB disk of every workspace not being deleted (stopped ones keep theirs), in GiB
 */
public record QuotaUsageView(int running, int cpus, long memoryMiB, long diskGiB) {}
