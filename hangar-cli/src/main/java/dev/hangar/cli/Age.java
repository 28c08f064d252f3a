package dev.hangar.cli;

import java.time.Duration;
import java.time.Instant;

/**
 * Human ages for the AGE column, in the style of kubectl: precise when young ({@code 45s},
 * {@code 3m20s}), coarser when old ({@code 5h}, {@code 12d}). Pure and thread-safe.
 */
final class Age {
    private Age() {}

    /** @return the age of {@code then} at {@code now}; {@code 0s} when {@code then} is in the future */
    static String between(Instant then, Instant now) {
        return format(Duration.between(then, now));
    }

    /** @return e.g. {@code 59s}, {@code 3m20s}, {@code 45m}, {@code 5h10m}, {@code 30h}, {@code 3d4h}, {@code 200d}, {@code 3y10d} */
    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long m = s / 60;
        long h = m / 60;
        long days = h / 24;
        if (s < 120) return s + "s";
        if (m < 10) return pair(m, "m", s % 60, "s");
        if (h < 3) return m + "m";
        if (h < 8) return pair(h, "h", m % 60, "m");
        if (h < 48) return h + "h";
        if (days < 8) return pair(days, "d", h % 24, "h");
        if (days < 365 * 2) return days + "d";
        if (days < 365 * 8) return pair(days / 365, "y", days % 365, "d");
        return days / 365 + "y";
    }

    private static String pair(long a, String ua, long b, String ub) {
        return b == 0 ? a + ua : a + ua + b + ub;
    }
}
