package dev.hangar.usbip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser for the output of {@code usbip port} (Linux usbip-utils, {@code
 * usbip_vhci_imported_device_dump}), to find the vhci port to {@code detach}. The format per imported
 * device is:
 *
 * <pre>
 * Port 00: &lt;Port in Use&gt; at Full Speed(12Mbps)
 *        STMicroelectronics : ST-LINK/V2 (0483:3748)
 *        3-1 -&gt; usbip://127.0.0.1:3240/1-3
 *            -&gt; remote bus/dev 001/004
 * </pre>
 *
 * The {@code usbip://} line reads {@code -> unknown host, remote port and remote busid} when usbip
 * could not read its record file; such ports are listed with an empty {@link ImportedPort#remoteUri()}.
 * Lines that match nothing are ignored, so header lines and future additions do not break parsing.
 */
public final class UsbipPortListing {
    private static final Pattern PORT_LINE = Pattern.compile("^Port (\\d{1,5}): <([^>]*)> at (.*)$");
    private static final Pattern URI_LINE = Pattern.compile("^\\s*(\\S*)\\s+-> (usbip://\\S+)\\s*$");

    private UsbipPortListing() {}

    /**
     * One imported device.
     *
     * @param port vhci port number, the argument of {@code usbip detach -p}
     * @param state e.g. {@code Port in Use}
     * @param speed e.g. {@code Full Speed(12Mbps)}
     * @param remoteUri e.g. {@code usbip://127.0.0.1:3240/1-3}; empty when usbip did not know it
     */
    public record ImportedPort(int port, String state, String speed, String remoteUri) {
        /** Requires non-null fields and a non-negative port. */
        public ImportedPort {
            Fields.requireNonNegative("port", port);
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(speed, "speed");
            Objects.requireNonNull(remoteUri, "remoteUri");
        }

        /**
         * @param tunnelPort workspace end of the forward
         * @param busId bus id on the PC
         * @return true if this port imports {@code busId} through {@code 127.0.0.1:tunnelPort}
         */
        public boolean imports(int tunnelPort, BusId busId) {
            return imports(RemoteForward.LOOPBACK, tunnelPort, busId);
        }

        /**
         * @param host the USB/IP server's address as the workspace used it
         * @param port its port
         * @param busId bus id on the PC
         * @return true if this port imports {@code busId} from {@code host:port}
         */
        public boolean imports(String host, int port, BusId busId) {
            return remoteUri.equals("usbip://" + host + ":" + port + "/" + busId.value());
        }
    }

    /**
     * @param output stdout of {@code usbip port}
     * @return imported devices in output order; empty if none
     */
    public static List<ImportedPort> parse(String output) {
        Objects.requireNonNull(output, "output");
        List<ImportedPort> ports = new ArrayList<>();
        int number = -1;
        String state = "";
        String speed = "";
        String uri = "";
        for (String line : output.split("\\R")) {
            Matcher m = PORT_LINE.matcher(line);
            if (m.matches()) {
                if (number >= 0) {
                    ports.add(new ImportedPort(number, state, speed, uri));
                }
                number = Integer.parseInt(m.group(1));
                state = m.group(2);
                speed = m.group(3).strip();
                uri = "";
            } else if (number >= 0 && uri.isEmpty() && (m = URI_LINE.matcher(line)).matches()) {
                uri = m.group(2);
            }
        }
        if (number >= 0) {
            ports.add(new ImportedPort(number, state, speed, uri));
        }
        return List.copyOf(ports);
    }

    /**
     * @param output stdout of {@code usbip port}
     * @param tunnelPort workspace end of the forward
     * @param busId bus id on the PC
     * @return the vhci port importing that device through that forward, if any
     */
    public static Optional<ImportedPort> find(String output, int tunnelPort, BusId busId) {
        return find(output, RemoteForward.LOOPBACK, tunnelPort, busId);
    }

    /**
     * @param output stdout of {@code usbip port}
     * @param host the USB/IP server's address as the workspace used it
     * @param port its port
     * @param busId bus id on the PC
     * @return the vhci port importing that device from {@code host:port}, if any
     */
    public static Optional<ImportedPort> find(String output, String host, int port, BusId busId) {
        return parse(output).stream().filter(p -> p.imports(host, port, busId)).findFirst();
    }
}
