package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;

/**
 * An inclusive range of TCP ports, the value of the {@code ssh-port-range} setting ({@code
 * FIRST-LAST}, e.g. {@code 42000-42999}).
 *
 * @param first the lowest port, at least 1024 (ports below need privileges)
 * @param last the highest port, at most 65535 and not below {@code first}
 */
record PortRange(int first, int last) {
    PortRange {
        if (first < 1024 || last > 65535 || first > last) {
            throw new IllegalArgumentException("ports " + first + "-" + last + " are not within 1024-65535");
        }
    }

    /**
     * @param value {@code FIRST-LAST}
     * @throws ProviderException (permanent) naming the setting and the accepted form
     */
    static PortRange parse(String key, String value) {
        String[] parts = value.strip().split("-", -1);
        try {
            if (parts.length == 2)
                return new PortRange(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
        } catch (IllegalArgumentException e) {
            // reported below with the accepted form
        }
        throw new ProviderException(
                "qemu setting " + key
                        + " must be FIRST-LAST with 1024 <= FIRST <= LAST <= 65535 (e.g. 42000-42999), got '" + value
                        + "'",
                true);
    }

    /** @return how many ports the range holds */
    int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
