package dev.hangar.server;

import dev.hangar.core.domain.Role;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads the {@code quotas.<role>.<limit>} keys ({@code <role>}: member, admin, auditor; {@code
 * <limit>}: {@code running}, {@code cpus}, {@code memory-mib}, {@code disk-gib}, {@code devices})
 * into a {@link
 * QuotaPolicy}. A key that is absent keeps the base's value; an empty value or {@code unlimited}
 * means no limit; otherwise a whole number 0 or more. {@code devices} holds {@code name=count}
 * entries separated by {@code ,} (e.g. {@code nvidia.com/gpu=2,example.com/fpga=1}), one limit per
 * device name; devices it leaves out are unlimited. Stateless.
 */
final class QuotaConfig {
    private QuotaConfig() {}

    /**
     * @throws ConfigException naming the key when a value is not a whole number 0 or more (or empty,
     *     or {@code unlimited})
     */
    static QuotaPolicy parse(Map<String, String> values, QuotaPolicy base) {
        Map<Role, QuotaLimits> byRole = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            String p = "quotas." + role.wireName() + ".";
            QuotaLimits b = base.forRole(role);
            OptionalLong running = limit(values, p + "running", wide(b.running()), Integer.MAX_VALUE);
            OptionalLong cpus = limit(values, p + "cpus", wide(b.cpus()), Integer.MAX_VALUE);
            byRole.put(
                    role,
                    new QuotaLimits(
                            narrow(running),
                            narrow(cpus),
                            limit(values, p + "memory-mib", b.memoryMiB(), Long.MAX_VALUE),
                            limit(values, p + "disk-gib", b.diskGiB(), Long.MAX_VALUE),
                            devices(values, p + "devices", b.devices())));
        }
        return new QuotaPolicy(byRole);
    }

    private static OptionalLong limit(Map<String, String> values, String key, OptionalLong fallback, long max) {
        if (!values.containsKey(key)) return fallback;
        String v = values.get(key).strip().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("unlimited")) return OptionalLong.empty();
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > max)
                throw new ConfigException(key + " must be 0.." + max + " or empty (unlimited), got " + n);
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    key + " must be a whole number or empty (unlimited), got '" + values.get(key) + "'");
        }
    }

    private static Map<String, Integer> devices(Map<String, String> values, String key, Map<String, Integer> fallback) {
        if (!values.containsKey(key)) return fallback;
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (String entry : values.get(key).split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) continue;
            int eq = e.lastIndexOf('=');
            if (eq <= 0)
                throw new ConfigException(key + " entries must be NAME=COUNT (e.g. nvidia.com/gpu=2), got '" + e + "'");
            String name = e.substring(0, eq).strip();
            String problem = dev.hangar.provider.spi.DeviceRequest.nameProblem(name);
            if (!problem.isEmpty()) throw new ConfigException(key + ": " + problem);
            OptionalLong n = limit(Map.of(key, e.substring(eq + 1)), key, OptionalLong.empty(), Integer.MAX_VALUE);
            if (n.isEmpty()) throw new ConfigException(key + ": " + name + " needs a count 0 or more");
            if (out.put(name, (int) n.getAsLong()) != null)
                throw new ConfigException(key + ": " + name + " is listed twice");
        }
        return out;
    }

    private static OptionalLong wide(OptionalInt i) {
        return i.isPresent() ? OptionalLong.of(i.getAsInt()) : OptionalLong.empty();
    }

    private static OptionalInt narrow(OptionalLong l) {
        return l.isPresent() ? OptionalInt.of((int) l.getAsLong()) : OptionalInt.empty();
    }
}
