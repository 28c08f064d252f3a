package dev.hangar.provider.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A request for a count of one kind of device (issue #19), in the one provider-neutral form that
 * templates, the API and every provider share: a Kubernetes extended-resource name such as {@code
 * nvidia.com/gpu} and a whole count. Pods ask for it as a container limit, KubeVirt as {@code
 * spec.domain.devices.gpus/hostDevices[].deviceName}, local VMs map it to an admin-allowed PCI
 * device.
 *
 * <p>The name rule is Kubernetes' for extended resources ("Managing extended resources": a
 * fully-qualified resource name, a DNS subdomain prefix, a {@code /}, and a name of at most 63
 * characters; outside the {@code kubernetes.io} domain and without the {@code requests.} prefix).
 * Counts are integers because extended resources cannot be overcommitted or split.
 *
 * @param name the extended-resource name, e.g. {@code nvidia.com/gpu}
 * @param count how many, at least 1
 */
public record DeviceRequest(String name, int count) {
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /**
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} breaks the rule above (the message says
     *     which part) or {@code count} is below 1
     */
    public DeviceRequest {
        Objects.requireNonNull(name, "name");
        String problem = nameProblem(name);
        if (!problem.isEmpty()) throw new IllegalArgumentException(problem);
        if (count < 1) throw new IllegalArgumentException("device count must be at least 1, got " + count);
    }

    /**
     * Checks a device name against the rule of {@link #name()} without throwing, so the API and
     * CLI can put the reason next to the field.
     *
     * @param name a candidate name
     * @return the empty string if {@code name} is valid, else a sentence saying what to fix
     */
    public static String nameProblem(String name) {
        int slash = name.indexOf('/');
        if (slash < 0)
            return "device name '" + name + "' needs a domain prefix, e.g. nvidia.com/gpu or example.com/" + name;
        String prefix = name.substring(0, slash);
        String local = name.substring(slash + 1);
        if (prefix.isEmpty()
                || prefix.length() > 253
                || !DNS_SUBDOMAIN.matcher(prefix).matches())
            return "device name '" + name + "': the prefix '" + prefix
                    + "' must be a DNS subdomain (lower-case letters, digits, '-' and '.')";
        if (prefix.equals("kubernetes.io") || prefix.endsWith(".kubernetes.io"))
            return "device name '" + name + "': the kubernetes.io domain is reserved for built-in resources";
        if (prefix.startsWith("requests."))
            return "device name '" + name + "': the 'requests.' prefix is reserved for quotas";
        if (local.isEmpty() || local.length() > 63 || !NAME.matcher(local).matches())
            return "device name '" + name + "': the part after '/' must be 1-63 letters, digits, '-', '_' or '.',"
                    + " starting and ending with a letter or digit";
        return "";
    }

    /** @return {@code name=count}, the form of {@code hangar create --device} */
    @Override
    public String toString() {
        return name + "=" + count;
    }
}
