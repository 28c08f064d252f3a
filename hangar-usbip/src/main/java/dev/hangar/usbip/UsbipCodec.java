package dev.hangar.usbip;

import dev.hangar.usbip.UsbipMessage.DevlistReply;
import dev.hangar.usbip.UsbipMessage.DevlistRequest;
import dev.hangar.usbip.UsbipMessage.ImportAccepted;
import dev.hangar.usbip.UsbipMessage.ImportRefused;
import dev.hangar.usbip.UsbipMessage.ImportReply;
import dev.hangar.usbip.UsbipMessage.ImportRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoder and strict decoder for the USB/IP operation messages, implemented from the Linux kernel's
 * {@code Documentation/usb/usbip_protocol.rst}: an 8-byte {@code op_common} header (version {@code
 * 0x0111}, code, status; all big-endian) followed by the message body.
 *
 * <p>Decoding is strict: the version must be {@link UsbipProtocol#VERSION}, the code must be the one
 * expected, a devlist reply must have status 0, device counts above {@link UsbipProtocol#MAX_DEVICES}
 * are refused before anything is allocated, string fields must be NUL-terminated printable ASCII, and
 * the {@code decode*(byte[])} variants refuse trailing bytes. Every violation is a {@link
 * UsbipProtocolException} naming the message, field and byte offset. The {@code read*(InputStream)}
 * variants read exactly one message and leave the stream positioned after it; they propagate the
 * stream's {@link IOException}s (e.g. a socket timeout) unchanged.
 *
 * <p>Stateless and thread-safe.
 */
public final class UsbipCodec {
    private static final String DEVLIST_REPLY = "OP_REP_DEVLIST";
    private static final String IMPORT_REPLY = "OP_REP_IMPORT";

    private UsbipCodec() {}

    /**
     * Encodes a message with its {@code op_common} header.
     *
     * @param message any of the four operation messages
     * @return the exact bytes to put on the wire
     * @throws IllegalArgumentException if a string does not fit its fixed-size field or is not printable
     *     ASCII
     */
    public static byte[] encode(UsbipMessage message) {
        return switch (message) {
            case DevlistRequest r -> header(UsbipProtocol.OP_REQ_DEVLIST, 0, 0).array();
            case ImportRequest r -> {
                ByteBuffer buf = header(UsbipProtocol.OP_REQ_IMPORT, 0, UsbipProtocol.BUSID_FIELD_LENGTH);
                putString(buf, r.busId().value(), UsbipProtocol.BUSID_FIELD_LENGTH, "busid");
                yield buf.array();
            }
            case DevlistReply r -> {
                int size = 4;
                for (UsbDevice d : r.devices()) {
                    size += UsbipProtocol.DEVICE_RECORD_LENGTH
                            + UsbipProtocol.INTERFACE_RECORD_LENGTH
                                    * d.interfaces().size();
                }
                ByteBuffer buf = header(UsbipProtocol.OP_REP_DEVLIST, 0, size);
                buf.putInt(r.devices().size());
                for (UsbDevice d : r.devices()) {
                    putDevice(buf, d);
                    for (UsbInterface i : d.interfaces()) {
                        buf.put((byte) i.interfaceClass())
                                .put((byte) i.interfaceSubClass())
                                .put((byte) i.interfaceProtocol())
                                .put((byte) 0);
                    }
                }
                yield buf.array();
            }
            case ImportAccepted r -> {
                ByteBuffer buf = header(UsbipProtocol.OP_REP_IMPORT, 0, UsbipProtocol.DEVICE_RECORD_LENGTH);
                putDevice(buf, r.device());
                yield buf.array();
            }
            case ImportRefused r ->
                header(UsbipProtocol.OP_REP_IMPORT, r.status(), 0).array();
        };
    }

    /**
     * Reads one {@code OP_REP_DEVLIST} from a stream.
     *
     * @param in positioned at the start of the reply
     * @return the exported devices
     * @throws UsbipProtocolException if the reply is malformed, has a non-zero status or too many devices
     * @throws IOException if the stream fails (e.g. {@link java.net.SocketTimeoutException})
     */
    public static DevlistReply readDevlistReply(InputStream in) throws IOException {
        WireReader r = new WireReader(in, DEVLIST_REPLY);
        long status = readHeader(r, UsbipProtocol.OP_REP_DEVLIST);
        if (status != UsbipProtocol.ST_OK) {
            throw new UsbipProtocolException(
                    "usbipd answered OP_REQ_DEVLIST with status " + UsbipProtocol.statusText(status));
        }
        long count = r.u32("number of exported devices");
        if (count > UsbipProtocol.MAX_DEVICES) {
            throw new UsbipProtocolException(DEVLIST_REPLY + " announces " + count
                    + " exported devices (offset 8); more than " + UsbipProtocol.MAX_DEVICES
                    + " is not plausible, refusing to read on");
        }
        List<UsbDevice> devices = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            DeviceFields f = readDevice(r, "device #" + (i + 1));
            List<UsbInterface> interfaces = new ArrayList<>(f.numInterfaces);
            for (int j = 0; j < f.numInterfaces; j++) {
                String what = "interface #" + (j + 1) + " of device #" + (i + 1);
                int cls = r.u8("bInterfaceClass of " + what);
                int sub = r.u8("bInterfaceSubClass of " + what);
                int proto = r.u8("bInterfaceProtocol of " + what);
                r.u8("padding of " + what); // alignment byte, value irrelevant
                interfaces.add(new UsbInterface(cls, sub, proto));
            }
            devices.add(f.toDevice(interfaces));
        }
        return new DevlistReply(devices);
    }

    /**
     * Reads one {@code OP_REP_IMPORT} from a stream: the device record on status 0, otherwise only the
     * header (as the spec says).
     *
     * @param in positioned at the start of the reply
     * @return {@link ImportAccepted} or {@link ImportRefused}
     * @throws UsbipProtocolException if the reply is malformed
     * @throws IOException if the stream fails
     */
    public static ImportReply readImportReply(InputStream in) throws IOException {
        WireReader r = new WireReader(in, IMPORT_REPLY);
        long status = readHeader(r, UsbipProtocol.OP_REP_IMPORT);
        if (status != UsbipProtocol.ST_OK) {
            return new ImportRefused(status);
        }
        return new ImportAccepted(readDevice(r, "imported device").toDevice(List.of()));
    }

    /**
     * Reads one request, as a server would: {@code OP_REQ_DEVLIST} or {@code OP_REQ_IMPORT}. The
     * status field must be 0 ("unused, shall be set to 0").
     *
     * @param in positioned at the start of a request
     * @return {@link DevlistRequest} or {@link ImportRequest}
     * @throws UsbipProtocolException if the request is malformed, has another code, or an invalid bus id
     * @throws IOException if the stream fails
     */
    public static UsbipMessage readRequest(InputStream in) throws IOException {
        WireReader r = new WireReader(in, "request");
        int version = r.u16("version");
        checkVersion(version, "request");
        int code = r.u16("code");
        long status = r.u32("status");
        if (status != 0) {
            throw new UsbipProtocolException(
                    "request " + UsbipProtocol.codeText(code) + ": status must be 0 in a request, got " + status);
        }
        return switch (code) {
            case UsbipProtocol.OP_REQ_DEVLIST -> new DevlistRequest();
            case UsbipProtocol.OP_REQ_IMPORT -> {
                String busId = new WireReader(in, "OP_REQ_IMPORT")
                        .string(UsbipProtocol.BUSID_FIELD_LENGTH, "busid (offset 8)");
                try {
                    yield new ImportRequest(new BusId(busId));
                } catch (IllegalArgumentException e) {
                    throw new UsbipProtocolException("OP_REQ_IMPORT: " + e.getMessage(), e);
                }
            }
            default ->
                throw new UsbipProtocolException("expected a request (OP_REQ_DEVLIST or OP_REQ_IMPORT) but got code "
                        + UsbipProtocol.codeText(code));
        };
    }

    /**
     * Decodes a complete {@code OP_REP_DEVLIST}; trailing bytes are an error.
     *
     * @param bytes exactly one reply
     * @return the exported devices
     * @throws UsbipProtocolException if malformed
     */
    public static DevlistReply decodeDevlistReply(byte[] bytes) {
        return decodeWhole(bytes, DEVLIST_REPLY, UsbipCodec::readDevlistReply);
    }

    /**
     * Decodes a complete {@code OP_REP_IMPORT}; trailing bytes are an error.
     *
     * @param bytes exactly one reply
     * @return the reply
     * @throws UsbipProtocolException if malformed
     */
    public static ImportReply decodeImportReply(byte[] bytes) {
        return decodeWhole(bytes, IMPORT_REPLY, UsbipCodec::readImportReply);
    }

    /**
     * Decodes a complete request; trailing bytes are an error.
     *
     * @param bytes exactly one request
     * @return the request
     * @throws UsbipProtocolException if malformed
     */
    public static UsbipMessage decodeRequest(byte[] bytes) {
        return decodeWhole(bytes, "request", UsbipCodec::readRequest);
    }

    private interface StreamDecoder<T> {
        T read(InputStream in) throws IOException;
    }

    private static <T> T decodeWhole(byte[] bytes, String what, StreamDecoder<T> decoder) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        try {
            T result = decoder.read(in);
            if (in.available() > 0) {
                throw new UsbipProtocolException(what + ": " + in.available() + " unexpected bytes after the end of the"
                        + " message (offset " + (bytes.length - in.available()) + " of " + bytes.length + ")");
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array stream cannot fail", e);
        }
    }

    private static long readHeader(WireReader r, int expectedCode) throws IOException {
        int version = r.u16("version");
        checkVersion(version, r.message());
        int code = r.u16("code");
        if (code != expectedCode) {
            throw new UsbipProtocolException("expected " + UsbipProtocol.codeText(expectedCode) + " but got code "
                    + UsbipProtocol.codeText(code));
        }
        return r.u32("status");
    }

    private static void checkVersion(int version, String message) {
        if (version != UsbipProtocol.VERSION) {
            throw new UsbipProtocolException(String.format(
                    "unsupported USB/IP version 0x%04x in %s; this client speaks 0x%04x (v1.1.1, as Linux usbip-utils"
                            + " 2.x and usbipd-win do)",
                    version, message, UsbipProtocol.VERSION));
        }
    }

    /** The fixed 312-byte part of a device record, before interfaces are known. */
    private record DeviceFields(
            String path,
            String busId,
            int busNum,
            int devNum,
            int speed,
            int vendorId,
            int productId,
            int bcdDevice,
            int deviceClass,
            int deviceSubClass,
            int deviceProtocol,
            int configurationValue,
            int numConfigurations,
            int numInterfaces) {
        UsbDevice toDevice(List<UsbInterface> interfaces) {
            return new UsbDevice(
                    path,
                    busId,
                    busNum,
                    devNum,
                    speed,
                    vendorId,
                    productId,
                    bcdDevice,
                    deviceClass,
                    deviceSubClass,
                    deviceProtocol,
                    configurationValue,
                    numConfigurations,
                    numInterfaces,
                    interfaces);
        }
    }

    private static DeviceFields readDevice(WireReader r, String what) throws IOException {
        String path = r.string(UsbipProtocol.PATH_FIELD_LENGTH, "path of " + what);
        long busIdOffset = r.offset();
        String busId = r.string(UsbipProtocol.BUSID_FIELD_LENGTH, "busid of " + what);
        if (busId.isEmpty()) {
            throw new UsbipProtocolException(
                    r.message() + ": busid of " + what + " (offset " + busIdOffset + ") is empty");
        }
        return new DeviceFields(
                path,
                busId,
                r.u32AsInt("busnum of " + what),
                r.u32AsInt("devnum of " + what),
                r.u32AsInt("speed of " + what),
                r.u16("idVendor of " + what),
                r.u16("idProduct of " + what),
                r.u16("bcdDevice of " + what),
                r.u8("bDeviceClass of " + what),
                r.u8("bDeviceSubClass of " + what),
                r.u8("bDeviceProtocol of " + what),
                r.u8("bConfigurationValue of " + what),
                r.u8("bNumConfigurations of " + what),
                r.u8("bNumInterfaces of " + what));
    }

    private static ByteBuffer header(int code, long status, int bodyLength) {
        // ByteBuffer is big-endian by default, which is the protocol's network byte order.
        return ByteBuffer.allocate(UsbipProtocol.HEADER_LENGTH + bodyLength)
                .putShort((short) UsbipProtocol.VERSION)
                .putShort((short) code)
                .putInt((int) status);
    }

    private static void putDevice(ByteBuffer buf, UsbDevice d) {
        putString(buf, d.path(), UsbipProtocol.PATH_FIELD_LENGTH, "path");
        putString(buf, d.busId(), UsbipProtocol.BUSID_FIELD_LENGTH, "busid");
        buf.putInt(d.busNum())
                .putInt(d.devNum())
                .putInt(d.speed())
                .putShort((short) d.vendorId())
                .putShort((short) d.productId())
                .putShort((short) d.bcdDevice())
                .put((byte) d.deviceClass())
                .put((byte) d.deviceSubClass())
                .put((byte) d.deviceProtocol())
                .put((byte) d.configurationValue())
                .put((byte) d.numConfigurations())
                .put((byte) d.numInterfaces());
    }

    private static void putString(ByteBuffer buf, String text, int fieldLength, String field) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(field + " must be printable ASCII: " + Fields.quote(text));
            }
        }
        if (bytes.length >= fieldLength) {
            throw new IllegalArgumentException(field + " is " + bytes.length + " bytes; the field holds at most "
                    + (fieldLength - 1) + " plus the terminating zero");
        }
        buf.put(bytes);
        buf.put(new byte[fieldLength - bytes.length]); // NUL terminator and zero fill, as the spec requires
    }
}
