package dev.hangar.usbip;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which USB devices may be forwarded into a workspace, by vendor/product id: the per-template or
 * per-user policy of {@code hangar usb attach}.
 *
 * <p>Entries: {@code 0483:3748} (exactly ST-Link/V2), {@code 0483:*} (every product of vendor 0x0483)
 * and {@code *:*} (any device). Ids are 4 hex digits, either case, as {@code lsusb} prints them. An
 * empty list allows nothing. Immutable and thread-safe.
 */
public final class VidPidAllowList {
    private static final Pattern ENTRY = Pattern.compile("([0-9A-Fa-f]{4}|\\*):([0-9A-Fa-f]{4}|\\*)");
    private static final int ANY = -1;

    /** One parsed entry; {@code ANY} (-1) stands for {@code *}. Kept private so no sentinel leaks out. */
    private record Rule(int vendorId, int productId) {
        boolean matches(VidPid id) {
            return (vendorId == ANY || vendorId == id.vendorId()) && (productId == ANY || productId == id.productId());
        }

        @Override
        public String toString() {
            return (vendorId == ANY ? "*" : String.format("%04x", vendorId)) + ":"
                    + (productId == ANY ? "*" : String.format("%04x", productId));
        }
    }

    private final List<Rule> rules;

    private VidPidAllowList(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** @return a list that allows every device ({@code *:*}) */
    public static VidPidAllowList allowAll() {
        return new VidPidAllowList(List.of(new Rule(ANY, ANY)));
    }

    /** @return a list that allows no device */
    public static VidPidAllowList denyAll() {
        return new VidPidAllowList(List.of());
    }

    /**
     * Parses entries given one per element (e.g. from a YAML list).
     *
     * @param entries e.g. {@code ["0483:3748", "1366:*"]}
     * @return the allow-list
     * @throws IllegalArgumentException naming the first bad entry, its position and the accepted forms
     */
    public static VidPidAllowList of(Collection<String> entries) {
        Objects.requireNonNull(entries, "entries");
        List<Rule> rules = new ArrayList<>();
        int position = 0;
        for (String entry : entries) {
            position++;
            rules.add(parseEntry(Objects.requireNonNull(entry, "entry"), position));
        }
        return new VidPidAllowList(rules);
    }

    /**
     * Parses a comma and/or white-space separated list, e.g. from a flag or environment variable.
     *
     * @param spec e.g. {@code "0483:3748, 1366:*"}; blank means "allow nothing"
     * @return the allow-list
     * @throws IllegalArgumentException naming the first bad entry, its position and the accepted forms
     */
    public static VidPidAllowList parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String trimmed = spec.strip();
        if (trimmed.isEmpty()) {
            return denyAll();
        }
        return of(List.of(trimmed.split("[\\s,]+")));
    }

    private static Rule parseEntry(String raw, int position) {
        String entry = raw.strip();
        var m = ENTRY.matcher(entry);
        if (!m.matches()) {
            throw new IllegalArgumentException("USB allow-list entry " + position + " " + Fields.quote(raw)
                    + " is invalid: expected VENDOR:PRODUCT with 4 hex digits each (e.g. 0483:3748 for an ST-Link/V2),"
                    + " VENDOR:* for every product of a vendor (e.g. 0483:*), or *:* for any device");
        }
        int vendor = m.group(1).equals("*") ? ANY : Integer.parseInt(m.group(1), 16);
        int product = m.group(2).equals("*") ? ANY : Integer.parseInt(m.group(2), 16);
        if (vendor == ANY && product != ANY) {
            throw new IllegalArgumentException("USB allow-list entry " + position + " " + Fields.quote(raw)
                    + " is invalid: a product id means nothing without its vendor; write VENDOR:"
                    + m.group(2).toLowerCase(java.util.Locale.ROOT) + " or *:*");
        }
        return new Rule(vendor, product);
    }

    /**
     * @param vendorId {@code idVendor}
     * @param productId {@code idProduct}
     * @return true if some entry matches
     */
    public boolean allows(int vendorId, int productId) {
        return allows(new VidPid(vendorId, productId));
    }

    /**
     * @param id vendor and product
     * @return true if some entry matches
     */
    public boolean allows(VidPid id) {
        Objects.requireNonNull(id, "id");
        return rules.stream().anyMatch(r -> r.matches(id));
    }

    /**
     * Throws unless the device is allowed, with a message suitable for the CLI.
     *
     * @param id vendor and product of the device to attach
     * @throws UsbipException if no entry matches, naming the device, the list and the fix
     */
    public void check(VidPid id) {
        if (!allows(id)) {
            throw new UsbipException("USB device " + id + " is not allowed in this workspace (allow-list: "
                    + (rules.isEmpty() ? "empty" : entries()) + "); ask an administrator to add " + id
                    + " or " + String.format("%04x", id.vendorId()) + ":* to the template's USB allow-list");
        }
    }

    /** @return the entries in canonical lower-case form, in the given order, e.g. {@code [0483:*]} */
    public List<String> entries() {
        return rules.stream().map(Rule::toString).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VidPidAllowList other && rules.equals(other.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    @Override
    public String toString() {
        return String.join(",", entries());
    }
}
