package dev.hangar.api;

/**
 * A template as the API shows it.
 *
 * @param name template name
 * @param description one line
 * @param provider provider type
 * @param image default image
 * @param defaults default sizes
 * @param limits allowed ranges
 */
public record TemplateView(
        String name, String description, String provider, String image, Sizes defaults, Limits limits) {

    /** Sizes: CPUs, memory in MiB, disk in GiB. */
    public record Sizes(int cpus, int memoryMiB, int diskGiB) {}

    /** An inclusive range. */
    public record Range(int min, int max) {}

    /** Allowed ranges of each size. */
    public record Limits(Range cpus, Range memoryMiB, Range diskGiB) {}
}
