package dev.hangar.usbip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Optional vendor, product and class names from the {@code usb.ids} database (linux-usb.org), as
 * shipped by Debian's {@code usbutils} ({@code /usr/share/misc/usb.ids}) and {@code hwdata} ({@code
 * /usr/share/hwdata/usb.ids}). Names are cosmetic: when no file is installed, or it cannot be read,
 * every lookup is empty and callers show hex ids only ({@link #describe(VidPid)}).
 *
 * <p>The file is parsed on the first lookup, not on construction, so commands that never print names
 * do not pay for the ~25 000 lines. Format (from the file's own header): {@code vvvv  vendor name},
 * then tab-indented {@code pppp  product name}; two tabs for interfaces (ignored); after {@code C cc
 * class name} lines, tab-indented {@code ss  subclass name}. Other sections ({@code AT}, {@code HID},
 * {@code L}, ...) are skipped. Bytes that are not valid UTF-8 are replaced rather than failing.
 *
 * <p>Thread-safe: loading happens once under a lock; the tables are then read-only.
 */
public final class UsbIds {
    /** The places Debian packages install usb.ids, searched in order by {@link #system()}. */
    public static final List<Path> DEFAULT_LOCATIONS = List.of(
            Path.of("/usr/share/misc/usb.ids"),
            Path.of("/usr/share/hwdata/usb.ids"),
            Path.of("/var/lib/usbutils/usb.ids"));

    private static final Logger LOG = LoggerFactory.getLogger(UsbIds.class);
    private static final Pattern VENDOR = Pattern.compile("([0-9a-fA-F]{4})\\s+(.+)");
    private static final Pattern PRODUCT = Pattern.compile("\t([0-9a-fA-F]{4})\\s+(.+)");
    private static final Pattern CLASS = Pattern.compile("C ([0-9a-fA-F]{2})\\s+(.+)");
    private static final Pattern SUBCLASS = Pattern.compile("\t([0-9a-fA-F]{2})\\s+(.+)");
    private static final UsbIds SYSTEM = new UsbIds(DEFAULT_LOCATIONS);

    private final List<Path> candidates;
    private volatile Tables tables;

    private record Tables(
            Optional<Path> source,
            Map<Integer, String> vendors,
            Map<Integer, String> products,
            Map<Integer, String> classes,
            Map<Integer, String> subclasses) {}

    private UsbIds(List<Path> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** @return the shared instance reading the first of {@link #DEFAULT_LOCATIONS} that exists */
    public static UsbIds system() {
        return SYSTEM;
    }

    /**
     * @param candidates files to try in order; the first that exists is used
     * @return a lazily loading database; empty if none of the files exists
     */
    public static UsbIds fromFirstExisting(List<Path> candidates) {
        return new UsbIds(Objects.requireNonNull(candidates, "candidates"));
    }

    /**
     * @param file a usb.ids file
     * @return a lazily loading database over that file; empty if it does not exist
     */
    public static UsbIds of(Path file) {
        return fromFirstExisting(List.of(Objects.requireNonNull(file, "file")));
    }

    /** @return the file the names come from, or empty when none was found or it was unreadable */
    public Optional<Path> source() {
        return tables().source();
    }

    /**
     * @param vendorId {@code idVendor}
     * @return e.g. {@code STMicroelectronics} for 0x0483
     */
    public Optional<String> vendorName(int vendorId) {
        return Optional.ofNullable(tables().vendors().get(vendorId));
    }

    /**
     * @param id vendor and product
     * @return e.g. {@code ST-LINK/V2} for 0483:3748
     */
    public Optional<String> productName(VidPid id) {
        return Optional.ofNullable(tables().products().get(key(id.vendorId(), id.productId())));
    }

    /**
     * @param usbClass a class code such as {@code bDeviceClass} or {@code bInterfaceClass}
     * @return e.g. {@code Mass Storage} for 0x08
     */
    public Optional<String> className(int usbClass) {
        return Optional.ofNullable(tables().classes().get(usbClass));
    }

    /**
     * @param usbClass class code
     * @param subClass subclass code
     * @return e.g. {@code SCSI} for 08/06
     */
    public Optional<String> subclassName(int usbClass, int subClass) {
        return Optional.ofNullable(tables().subclasses().get(key(usbClass, subClass)));
    }

    /**
     * A one-line description for listings: {@code vendor : product} where known, else hex.
     *
     * @param id vendor and product
     * @return e.g. {@code STMicroelectronics : ST-LINK/V2}, {@code STMicroelectronics : unknown product
     *     3749}, or {@code 0483:3748} without a database
     */
    public String describe(VidPid id) {
        Optional<String> vendor = vendorName(id.vendorId());
        if (vendor.isEmpty()) {
            return id.toString();
        }
        return vendor.get() + " : " + productName(id).orElse(String.format("unknown product %04x", id.productId()));
    }

    private static int key(int high, int low) {
        return (high << 16) | low;
    }

    private Tables tables() {
        Tables t = tables;
        if (t == null) {
            synchronized (this) {
                t = tables;
                if (t == null) {
                    t = load();
                    tables = t;
                }
            }
        }
        return t;
    }

    private Tables load() {
        for (Path candidate : candidates) {
            try {
                return parse(candidate);
            } catch (NoSuchFileException e) {
                // not installed here; try the next location
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("cannot read {}; USB names will be shown as hex ids only: {}", candidate, e.toString());
                return emptyTables();
            }
        }
        LOG.debug("no usb.ids in {}; install usbutils or hwdata for USB product names", candidates);
        return emptyTables();
    }

    private static Tables emptyTables() {
        return new Tables(Optional.empty(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    private static Tables parse(Path file) throws IOException {
        Map<Integer, String> vendors = new HashMap<>();
        Map<Integer, String> products = new HashMap<>();
        Map<Integer, String> classes = new HashMap<>();
        Map<Integer, String> subclasses = new HashMap<>();
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            int vendor = -1; // current vendor section, -1 when none
            int usbClass = -1; // current class section, -1 when none
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("\t\t")) {
                    continue; // comments, blank lines, interface/protocol lines
                }
                Matcher m;
                if (!line.startsWith("\t")) {
                    vendor = -1;
                    usbClass = -1;
                    if ((m = VENDOR.matcher(line)).matches()) {
                        vendor = Integer.parseInt(m.group(1), 16);
                        vendors.put(vendor, m.group(2).strip());
                    } else if ((m = CLASS.matcher(line)).matches()) {
                        usbClass = Integer.parseInt(m.group(1), 16);
                        classes.put(usbClass, m.group(2).strip());
                    }
                } else if (vendor >= 0 && (m = PRODUCT.matcher(line)).matches()) {
                    products.put(
                            key(vendor, Integer.parseInt(m.group(1), 16)),
                            m.group(2).strip());
                } else if (usbClass >= 0 && (m = SUBCLASS.matcher(line)).matches()) {
                    subclasses.put(
                            key(usbClass, Integer.parseInt(m.group(1), 16)),
                            m.group(2).strip());
                }
            }
        }
        return new Tables(
                Optional.of(file),
                Map.copyOf(vendors),
                Map.copyOf(products),
                Map.copyOf(classes),
                Map.copyOf(subclasses));
    }
}
