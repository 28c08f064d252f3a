package dev.hangar.usbip;

import dev.hangar.usbip.UsbipMessage.DevlistRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Asks a {@code usbipd} (Linux usbip-utils or usbipd-win) which devices it exports, by sending {@code
 * OP_REQ_DEVLIST} over TCP and decoding {@code OP_REP_DEVLIST} with {@link UsbipCodec}. One short TCP
 * connection per call, as the protocol prescribes (the server closes after the reply).
 *
 * <p>Only devices that are bound to {@code usbip-host} and not currently imported by anybody are
 * listed by usbipd, so "listed" means "can be attached now". Calls are read-only and idempotent; an
 * instance is immutable and thread-safe.
 *
 * <p>Errors: {@link UsbipdUnavailableException} when nothing answers (its message says how to start
 * usbipd), {@link UsbipProtocolException} when something answers but not like usbipd (message names
 * the address and the offending field).
 */
public final class UsbipClient {
    /** Time allowed for connecting and reading the whole reply when none is given: 5 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final UsbipdAddress address;
    private final Duration timeout;

    /**
     * @param address where usbipd listens, e.g. {@link UsbipdAddress#DEFAULT}
     * @param timeout overall time for connect plus reply, positive
     */
    public UsbipClient(UsbipdAddress address, Duration timeout) {
        this.address = Objects.requireNonNull(address, "address");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** @return a client for {@code 127.0.0.1:3240} with {@link #DEFAULT_TIMEOUT} */
    public static UsbipClient local() {
        return new UsbipClient(UsbipdAddress.DEFAULT, DEFAULT_TIMEOUT);
    }

    /**
     * Convenience for {@code new UsbipClient(new UsbipdAddress(host, port), timeout).listDevices()}.
     *
     * @param host usbipd host, e.g. {@code 127.0.0.1}
     * @param port usbipd port, e.g. 3240
     * @param timeout overall time for connect plus reply
     * @return the exportable devices, possibly empty
     */
    public static List<UsbDevice> listDevices(String host, int port, Duration timeout) {
        return new UsbipClient(new UsbipdAddress(host, port), timeout).listDevices();
    }

    /** @return the usbipd this client talks to */
    public UsbipdAddress address() {
        return address;
    }

    /**
     * Lists the devices usbipd exports right now.
     *
     * @return the devices in server order, each with its interfaces; empty if none are bound (that is not
     *     an error)
     * @throws UsbipdUnavailableException if usbipd is not running or does not answer in time
     * @throws UsbipProtocolException if the peer's reply is not a valid {@code OP_REP_DEVLIST}
     */
    public List<UsbDevice> listDevices() {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = connect(deadline)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(UsbipCodec.encode(new DevlistRequest()));
            out.flush();
            InputStream in = DeadlineInputStream.of(socket, deadline);
            return UsbipCodec.readDevlistReply(in).devices();
        } catch (ConnectException e) {
            throw new UsbipdUnavailableException(
                    "usbipd is not running on " + address + "; start it with `sudo usbipd -D` (Linux) or install"
                            + " usbipd-win (Windows)" + (refused(e) ? "" : " (" + e.getMessage() + ")"),
                    e);
        } catch (SocketTimeoutException e) {
            throw new UsbipdUnavailableException(
                    "usbipd on " + address + " did not answer within " + timeout.toMillis()
                            + " ms; check that usbipd (not another service) listens there and that no firewall"
                            + " drops the connection",
                    e);
        } catch (UsbipProtocolException e) {
            throw new UsbipProtocolException(
                    address + " did not answer like usbipd: " + e.getMessage()
                            + "; is --usbipd pointing at the right port?",
                    e);
        } catch (IOException e) {
            throw new UsbipdUnavailableException(
                    "cannot talk to usbipd on " + address + ": " + e.getMessage()
                            + "; start it with `sudo usbipd -D` (Linux) or install usbipd-win (Windows)",
                    e);
        }
    }

    /**
     * @param busId the device's bus id on the PC, e.g. {@code 1-3}
     * @return the device if usbipd currently exports it
     * @throws UsbipdUnavailableException see {@link #listDevices()}
     * @throws UsbipProtocolException see {@link #listDevices()}
     */
    public Optional<UsbDevice> findExportable(BusId busId) {
        Objects.requireNonNull(busId, "busId");
        return listDevices().stream()
                .filter(d -> d.busId().equals(busId.value()))
                .findFirst();
    }

    /**
     * Whether usbipd exports {@code busId} right now, i.e. it is bound to {@code usbip-host} and not
     * attached elsewhere. This is the check {@code hangar usb attach} uses when usbipd is on another host
     * and {@code usbip bind} cannot be run locally.
     *
     * @param busId the device's bus id on the PC, e.g. {@code 1-3}
     * @return true if listed by {@code OP_REP_DEVLIST}
     * @throws UsbipdUnavailableException see {@link #listDevices()}
     * @throws UsbipProtocolException see {@link #listDevices()}
     */
    public boolean isExportable(BusId busId) {
        return findExportable(busId).isPresent();
    }

    /**
     * Connects to the first address of {@link #address()} that accepts: a name such as {@code localhost}
     * may resolve to {@code ::1} and {@code 127.0.0.1}, while {@code usbipd -4} listens on IPv4 only.
     */
    private Socket connect(long deadline) throws IOException {
        InetAddress[] candidates;
        try {
            candidates = InetAddress.getAllByName(address.host());
        } catch (UnknownHostException e) {
            throw new UsbipdUnavailableException(
                    "cannot resolve usbipd host '" + address.host() + "'; check --usbipd " + address, e);
        }
        IOException last = null;
        for (InetAddress candidate : candidates) {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                break;
            }
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(candidate, address.port()), (int)
                        Math.min(leftMillis, Integer.MAX_VALUE));
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        throw last != null ? last : new SocketTimeoutException("no time left to connect");
    }

    private static boolean refused(ConnectException e) {
        return e.getMessage() != null
                && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused");
    }
}
