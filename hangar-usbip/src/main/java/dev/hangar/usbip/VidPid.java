package dev.hangar.usbip;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A USB vendor/product id pair ({@code idVendor}, {@code idProduct} of the device descriptor), written
 * the way {@code lsusb} prints it: {@code 0483:3748} (4 lower-case hex digits each).
 *
 * @param vendorId {@code idVendor}, 0..0xffff
 * @param productId {@code idProduct}, 0..0xffff
 */
public record VidPid(int vendorId, int productId) {
    private static final Pattern SYNTAX = Pattern.compile("([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})");

    /** Rejects ids that do not fit in 16 bits. */
    public VidPid {
        Fields.requireU16("vendor id", vendorId);
        Fields.requireU16("product id", productId);
    }

    /**
     * Parses {@code VVVV:PPPP}, 4 hex digits each, either case.
     *
     * @param text e.g. {@code 0483:3748}
     * @return the pair
     * @throws IllegalArgumentException with an example of the expected form
     */
    public static VidPid parse(String text) {
        Objects.requireNonNull(text, "text");
        var m = SYNTAX.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid USB id " + Fields.quote(text)
                    + ": expected VENDOR:PRODUCT as 4 hex digits each, e.g. 0483:3748 (as printed by lsusb)");
        }
        return new VidPid(Integer.parseInt(m.group(1), 16), Integer.parseInt(m.group(2), 16));
    }

    /** @return {@code vvvv:pppp} in lower-case hex */
    @Override
    public String toString() {
        return String.format("%04x:%04x", vendorId, productId);
    }
}
