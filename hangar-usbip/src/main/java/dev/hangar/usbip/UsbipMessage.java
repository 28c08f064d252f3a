package dev.hangar.usbip;

import java.util.List;
import java.util.Objects;

/**
 * The four operation messages of {@code Documentation/usb/usbip_protocol.rst} that precede URB
 * traffic. Each starts with the 8-byte {@code op_common} header (version, code, status); {@link
 * UsbipCodec} adds and checks that header.
 */
public sealed interface UsbipMessage {

    /** {@code OP_REQ_DEVLIST} (code 0x8005): "which devices do you export?". No body. */
    record DevlistRequest() implements UsbipMessage {}

    /**
     * {@code OP_REP_DEVLIST} (code 0x0005) with status 0: the exported devices.
     *
     * @param devices exported devices with their interfaces, in server order; may be empty
     */
    record DevlistReply(List<UsbDevice> devices) implements UsbipMessage {
        /** Copies the list and requires every device to list its interfaces. */
        public DevlistReply {
            devices = List.copyOf(Objects.requireNonNull(devices, "devices"));
            for (UsbDevice d : devices) {
                if (d.interfaces().size() != d.numInterfaces()) {
                    throw new IllegalArgumentException("device " + d.busId()
                            + " must list all its interfaces in OP_REP_DEVLIST (bNumInterfaces="
                            + d.numInterfaces() + ", given " + d.interfaces().size() + ")");
                }
            }
        }
    }

    /**
     * {@code OP_REQ_IMPORT} (code 0x8003): "hand me this device". Sending it to a real {@code usbipd}
     * claims the device; it is here for completeness and tests, the workspace's {@code usbip attach}
     * sends it in practice.
     *
     * @param busId the device to import
     */
    record ImportRequest(BusId busId) implements UsbipMessage {
        /** Requires a bus id. */
        public ImportRequest {
            Objects.requireNonNull(busId, "busId");
        }
    }

    /** {@code OP_REP_IMPORT} (code 0x0003): either the imported device or a failure status. */
    sealed interface ImportReply extends UsbipMessage {}

    /**
     * Status 0: the device was imported; the connection now carries URB traffic.
     *
     * @param device the device record, without interfaces (the wire format has none here)
     */
    record ImportAccepted(UsbDevice device) implements ImportReply {
        /** Requires a device without interface records. */
        public ImportAccepted {
            Objects.requireNonNull(device, "device");
            if (!device.interfaces().isEmpty()) {
                throw new IllegalArgumentException("OP_REP_IMPORT carries no interface records");
            }
        }
    }

    /**
     * Non-zero status: the server refused; the reply ends after the header.
     *
     * @param status the {@code ST_*} code, see {@link UsbipProtocol#statusText(long)}
     */
    record ImportRefused(long status) implements ImportReply {
        /** Requires a non-zero unsigned 32-bit status. */
        public ImportRefused {
            if (status <= 0 || status > 0xffff_ffffL) {
                throw new IllegalArgumentException("a refusal needs a non-zero 32-bit status, got " + status);
            }
        }
    }
}
