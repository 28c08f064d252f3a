package dev.hangar.core.template;

import dev.hangar.provider.spi.DeviceRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * A device a template offers its workspaces (issue #19): the device's extended-resource name, how
 * many a workspace gets when its create request does not say, and how many it may ask for. YAML
 * (a list under {@code devices}): {@code {name: nvidia.com/gpu, count: 1, min: 0, max: 2}}.
 *
 * @param name the extended-resource name, valid by {@link DeviceRequest#nameProblem(String)}
 * @param count the default count, within {@code allowed}; 0 means "none unless asked for"
 * @param allowed the counts a create request may ask for, {@code min >= 0}
 */
public record TemplateDevice(String name, int count, Range allowed) {
    /**
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if the name breaks the extended-resource rule, {@code
     *     allowed.min()} is negative or {@code count} is outside {@code allowed}
     */
    public TemplateDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(allowed, "allowed");
        String problem = DeviceRequest.nameProblem(name);
        if (!problem.isEmpty()) throw new IllegalArgumentException(problem);
        if (allowed.min() < 0)
            throw new IllegalArgumentException("device " + name + ": min must be 0 or more, got " + allowed.min());
        if (!allowed.contains(count))
            throw new IllegalArgumentException(
                    "device " + name + ": default count " + count + " is outside the allowed range " + allowed);
    }

    /** @return the request a workspace gets when it does not ask; empty when the default count is 0 */
    public Optional<DeviceRequest> defaultRequest() {
        return count == 0 ? Optional.empty() : Optional.of(new DeviceRequest(name, count));
    }
}
