package dev.hangar.core.service;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.provider.spi.DeviceRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How many of one device a create request asks for (issue #19), before the template is applied:
 * unlike {@link DeviceRequest} (what a workspace gets, at least 1) the count may be 0, which asks
 * for none of a device the template gives by default. {@link WorkspaceService#create} checks it
 * against the template's range, so 0 is refused, naming the minimum, when the template's minimum is
 * above 0. Immutable value.
 *
 * @param name the extended-resource name, e.g. {@code nvidia.com/gpu}, valid by {@link
 *     DeviceRequest#nameProblem(String)}
 * @param count how many, 0 or more
 */
public record DeviceCount(String name, int count) {
    /**
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} breaks the extended-resource rule (the message
     *     says which part) or {@code count} is negative
     */
    public DeviceCount {
        Objects.requireNonNull(name, "name");
        String problem = DeviceRequest.nameProblem(name);
        if (!problem.isEmpty()) throw new IllegalArgumentException(problem);
        if (count < 0) throw new IllegalArgumentException("device count must be 0 or more, got " + count);
    }

    /**
     * Checks one entry of a request's device list as it arrived (the API's JSON body, the dashboard's
     * form), so both refuse the same entries with the same words; the range against the template is
     * checked later, in {@link WorkspaceService#create}.
     *
     * @param field the entry's field, e.g. {@code devices[0]}
     * @param name the device's name; empty when the entry has none
     * @param count the count; empty when the entry has none
     * @return the entry as a count
     * @throws ValidationException naming {@code field.name} for a missing or malformed name, {@code
     *     field.count} for a missing or negative count
     */
    public static DeviceCount checked(String field, Optional<String> name, OptionalInt count) {
        if (name.isEmpty())
            throw new ValidationException(field + ".name", field + ".name is required, e.g. nvidia.com/gpu");
        String problem = DeviceRequest.nameProblem(name.get());
        if (!problem.isEmpty()) throw new ValidationException(field + ".name", field + ".name: " + problem);
        if (count.isEmpty() || count.getAsInt() < 0)
            throw new ValidationException(
                    field + ".count",
                    field + ".count must be 0 or more"
                            + (count.isEmpty() ? " (it is missing)" : ", got " + count.getAsInt())
                            + "; leave the device out for the template's default");
        return new DeviceCount(name.get(), count.getAsInt());
    }

    /** @return the same name and count (at least 1, as a {@link DeviceRequest} is) */
    public static DeviceCount of(DeviceRequest r) {
        return new DeviceCount(r.name(), r.count());
    }

    /** @return {@code name=count}, the form of {@code hangar create --device} */
    @Override
    public String toString() {
        return name + "=" + count;
    }
}
