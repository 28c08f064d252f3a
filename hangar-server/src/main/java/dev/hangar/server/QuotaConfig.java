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
 * <limit>}: {@code running}, {@code cpus}, {@code memory-mib}, {@code disk-gib}) into a {@link
 * QuotaPolicy}. A key that is absent keeps the base's value; an empty value or {@code unlimited}
 * means no limit; otherwise a whole number 0 or more. Stateless.
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
                            limit(values, p + "disk-gib", b.diskGiB(), Long.MAX_VALUE)));
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

    private static OptionalLong wide(OptionalInt i) {
        return i.isPresent() ? OptionalLong.of(i.getAsInt()) : OptionalLong.empty();
    }

    private static OptionalInt narrow(OptionalLong l) {
        return l.isPresent() ? OptionalInt.of((int) l.getAsLong()) : OptionalInt.empty();
    }
}
