package dev.hangar.usbip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port table the kernel's {@code vhci_hcd} driver publishes in sysfs, one file per virtual host
 * controller ({@code /sys/devices/platform/vhci_hcd.0/status}, {@code status.1}, ...): world-readable,
 * so reading it needs neither root nor the {@code usbip} tool. {@code usbip port} reads the same files
 * (plus root's records of the remote address); this is the cheap check that an import made earlier is
 * still there. Under software emulation a {@code sudo usbip port} costs the guest about 0.45 s of CPU,
 * a {@code cat} of these files about 0.03 s (bench/usb/README.md).
 *
 * <p>Format (Linux {@code drivers/usb/usbip/vhci_sysfs.c}, 4.13 and later), a header per file and a
 * line per port:
 *
 * <pre>
 * hub port sta spd dev      sockfd local_busid
 * hs  0000 004 000 00000000 000000 0-0
 * ss  0015 006 005 00020002 000003 2-1
 * </pre>
 *
 * {@code port} is the number {@code usbip port} shows and {@code usbip detach -p} takes, {@code sta}
 * the port's state (6: in use), {@code dev} the remote device's {@code busnum << 16 | devnum} in hex,
 * {@code sockfd} the attaching process's socket descriptor. Lines that match nothing are ignored.
 */
public final class VhciStatus {
    /**
     * Shell fragment that prints every controller's table, for a non-root session: {@code cat
     * /sys/devices/platform/vhci_hcd.0/status*}. Constant text, no variable part.
     */
    public static final String READ_COMMAND = "cat /sys/devices/platform/vhci_hcd.0/status*";

    /** {@code VDEV_ST_USED}: the port holds an imported device. */
    public static final int IN_USE = 6;

    private static final Pattern LINE = Pattern.compile(
            "^\\s*(hs|ss)\\s+(\\d{1,5})\\s+(\\d{1,3})\\s+(\\d{1,3})\\s+([0-9a-fA-F]{8})\\s+(\\d+)\\s+(\\S+)\\s*$");

    private VhciStatus() {}

    /**
     * One port of a virtual host controller.
     *
     * @param hub {@code hs} (USB 2) or {@code ss} (USB 3)
     * @param port the vhci port number ({@code usbip port}'s {@code Port NN})
     * @param state {@link #IN_USE} while a device is imported
     * @param speed the kernel's {@code enum usb_device_speed} value
     * @param device the remote device id, 8 hex digits
     * @param sockfd the socket descriptor recorded at attach
     * @param localBusId the device's bus id inside the workspace, e.g. {@code 2-1}
     */
    public record Port(String hub, int port, int state, int speed, String device, long sockfd, String localBusId) {
        /** Requires non-null text fields and non-negative numbers. */
        public Port {
            Objects.requireNonNull(hub, "hub");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(localBusId, "localBusId");
            Fields.requireNonNegative("port", port);
            Fields.requireNonNegative("state", state);
        }

        /** @return true while the port holds an imported device */
        public boolean inUse() {
            return state == IN_USE;
        }
    }

    /**
     * @param text the concatenated status files, e.g. the output of {@link #READ_COMMAND}
     * @return every port line in file order; empty when there is none (no vhci_hcd, no such files)
     */
    public static List<Port> parse(String text) {
        Objects.requireNonNull(text, "text");
        List<Port> ports = new ArrayList<>();
        for (String line : text.split("\\R")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                ports.add(new Port(
                        m.group(1),
                        Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)),
                        m.group(5).toLowerCase(java.util.Locale.ROOT),
                        Long.parseLong(m.group(6)),
                        m.group(7)));
            }
        }
        return List.copyOf(ports);
    }

    /**
     * @param text the concatenated status files
     * @param port a vhci port number
     * @return that port's line, if the text has one
     */
    public static Optional<Port> find(String text, int port) {
        return parse(text).stream().filter(p -> p.port() == port).findFirst();
    }

    /**
     * Whether an import seen earlier is still the same: {@code now} shows {@code before}'s port in use
     * with the same remote device, speed, socket and local bus id. A device that reset or was unplugged
     * leaves the port (its state changes) or comes back with a new device number, so it never counts as
     * unchanged; the authoritative check ({@code usbip port}, which also knows through which forward)
     * is then needed.
     *
     * @param before the port's line right after the attach
     * @param now the status files now
     * @return true when the import is unchanged
     */
    public static boolean unchanged(Port before, String now) {
        Objects.requireNonNull(before, "before");
        return before.inUse() && find(now, before.port()).filter(before::equals).isPresent();
    }
}
