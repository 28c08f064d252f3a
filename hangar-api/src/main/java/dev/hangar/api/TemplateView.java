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
 * @param devices the devices its workspaces may ask for (issue #19); empty for none, and then left
 *     out of the JSON like the workspace view's
 */
public record TemplateView(
        String name,
        String description,
        String provider,
        String image,
        Sizes defaults,
        Limits limits,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        java.util.List<Device> devices) {
    public TemplateView {
        devices = devices == null ? java.util.List.of() : java.util.List.copyOf(devices);
    }

    /** A template offering no devices. */
    public TemplateView(String name, String description, String provider, String image, Sizes defaults, Limits limits) {
        this(name, description, provider, image, defaults, limits, java.util.List.of());
    }

    /**
     * A device the template offers.
     *
     * @param name extended-resource name, e.g. {@code nvidia.com/gpu}
     * @param count how many a workspace gets when its create request does not say (0: none)
     * @param allowed the counts a create request may ask for
     */
    public record Device(String name, int count, Range allowed) {}

    /** Sizes: CPUs, memory in MiB, disk in GiB. */
    public record Sizes(int cpus, int memoryMiB, int diskGiB) {}

    /** An inclusive range. */
    public record Range(int min, int max) {}

    /** Allowed ranges of each size. */
    public record Limits(Range cpus, Range memoryMiB, Range diskGiB) {}
}
