package dev.hangar.provider.spi;

/**
 * Compute and storage sizes of one workspace.
 *
 * @param cpus virtual CPUs, at least 1
 * @param memoryMiB memory in MiB (2^20 bytes), at least 64
 * @param diskGiB size of the workspace's persistent disk in GiB (2^30 bytes), at least 1
 */
public record Resources(int cpus, int memoryMiB, int diskGiB) {
    /** The defaults of the KubeVirt seed template: 2 CPUs, 4096 MiB, 16 GiB. */
    public static final Resources DEFAULTS = new Resources(2, 4096, 16);

    /**
     * @throws IllegalArgumentException if a value is below its minimum
     */
    public Resources {
        if (cpus < 1) throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
        if (memoryMiB < 64) throw new IllegalArgumentException("memoryMiB must be at least 64, got " + memoryMiB);
        if (diskGiB < 1) throw new IllegalArgumentException("diskGiB must be at least 1, got " + diskGiB);
    }

    /** @return the memory in bytes */
    public long memoryBytes() {
        return memoryMiB * 1024L * 1024L;
    }

    /** @return the disk size in bytes */
    public long diskBytes() {
        return diskGiB * 1024L * 1024L * 1024L;
    }
}
