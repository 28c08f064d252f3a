package dev.hangar.api;

/**
 * A device count on the wire (issue #19): in a create request's {@code devices}, in a workspace
 * view, and in quota limits and usage. The JSON form of the provider SPI's {@code DeviceRequest},
 * which this module cannot see; the server checks both fields (422 naming {@code devices[i].name}
 * or {@code devices[i].count}).
 *
 * @param name the device's extended-resource name, e.g. {@code nvidia.com/gpu}
 * @param count how many: in a workspace view at least 1; in a create request 0 or more (0 asks for
 *     none of a device the template gives by default) and within the template's range; in quota
 *     limits 0 or more (0: none allowed). Null (left out) in a request is refused
 */
public record DeviceView(String name, Integer count) {}
