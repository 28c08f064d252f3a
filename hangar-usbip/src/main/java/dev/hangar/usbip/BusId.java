package dev.hangar.usbip;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validated USB/IP bus id, the name under which {@code usbipd} exports a device: Linux's sysfs USB
 * device name {@code BUS-PORT[.PORT]...} ({@code 1-3}, {@code 1-1.2}, {@code 3-2.4.1}), the same form
 * usbipd-win uses, or a {@code usbip-vudc.N} gadget exported by {@code usbipd -e}.
 *
 * <p>Because bus ids end up in command lines run through a shell in the workspace, only digits,
 * {@code -} and {@code .} (plus the fixed {@code usbip-vudc.} prefix) are accepted: at most 6 port
 * numbers (USB allows 7 tiers including the root hub), each 1..3 digits, and no interface suffix such
 * as {@code 1-3:1.0}.
 *
 * @param value the bus id text, e.g. {@code 1-1.2}
 */
public record BusId(String value) {
    private static final Pattern SYNTAX =
            Pattern.compile("[1-9][0-9]{0,2}-[1-9][0-9]{0,2}(\\.[1-9][0-9]{0,2}){0,5}|usbip-vudc\\.[0-9]{1,3}");

    /** Rejects anything that is not a bus id; see the class description for the accepted forms. */
    public BusId {
        Objects.requireNonNull(value, "value");
        if (!SYNTAX.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid USB bus id " + Fields.quote(value)
                    + ": expected BUS-PORT[.PORT...] such as 1-3, 1-1.2 or 3-2.4.1 (see `usbip list -l` on Linux or"
                    + " `usbipd list` on Windows)");
        }
    }

    /**
     * @param text the bus id, surrounding white space ignored
     * @return the validated bus id
     * @throws IllegalArgumentException if {@code text} is not a bus id
     */
    public static BusId parse(String text) {
        Objects.requireNonNull(text, "text");
        return new BusId(text.strip());
    }

    @Override
    public String toString() {
        return value;
    }
}
