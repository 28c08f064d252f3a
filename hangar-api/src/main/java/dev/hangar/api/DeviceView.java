package dev.hangar.api;

/**
 * A device count on the wire (issue #19): in a create request's {@code devices} and in a workspace
 * view. The JSON form of the provider SPI's {@code DeviceRequest}, which this module cannot see;
 * the server checks both fields (422 naming {@code devices[i].name} or {@code devices[i].count}).
 *
 * @param name the device's extended-resource name, e.g. {@code nvidia.com/gpu}
 * @param count how many, at least 1 (and within the template's range); null (left out) in a request
 *     is refused
 */
public record DeviceView(String name, Integer count) {}
