package dev.hangar.usbip;

/**
 * Constants of the USB/IP protocol, from the Linux kernel's {@code Documentation/usb/usbip_protocol.rst}
 * and {@code tools/usb/usbip/libsrc/usbip_common.h}.
 */
public final class UsbipProtocol {
    private UsbipProtocol() {}

    /** Protocol version v1.1.1 as sent in every {@code op_common} header. */
    public static final int VERSION = 0x0111;

    /** Default TCP port of {@code usbipd} (IANA "usbip"). */
    public static final int DEFAULT_PORT = 3240;

    /** Command code of {@code OP_REQ_DEVLIST}. */
    public static final int OP_REQ_DEVLIST = 0x8005;
    /** Reply code of {@code OP_REP_DEVLIST}. */
    public static final int OP_REP_DEVLIST = 0x0005;
    /** Command code of {@code OP_REQ_IMPORT}. */
    public static final int OP_REQ_IMPORT = 0x8003;
    /** Reply code of {@code OP_REP_IMPORT}. */
    public static final int OP_REP_IMPORT = 0x0003;

    /** Length of the {@code op_common} header: version (2), code (2), status (4). */
    public static final int HEADER_LENGTH = 8;
    /** Size of the {@code path} string field, NUL terminated ({@code SYSFS_PATH_MAX}). */
    public static final int PATH_FIELD_LENGTH = 256;
    /** Size of the {@code busid} string field, NUL terminated ({@code SYSFS_BUS_ID_SIZE}). */
    public static final int BUSID_FIELD_LENGTH = 32;
    /** Size of one device record ({@code struct usbip_usb_device}) without interfaces. */
    public static final int DEVICE_RECORD_LENGTH = 312;
    /** Size of one interface record ({@code struct usbip_usb_interface}). */
    public static final int INTERFACE_RECORD_LENGTH = 4;

    /**
     * Upper bound on the device count of an {@code OP_REP_DEVLIST} this client accepts. Linux addresses
     * at most 127 devices per bus; 1024 leaves room for many buses while refusing a corrupt or hostile
     * count before reading megabytes.
     */
    public static final int MAX_DEVICES = 1024;

    /** Status: OK ({@code ST_OK}). */
    public static final int ST_OK = 0x00;
    /** Status: request failed ({@code ST_NA}). */
    public static final int ST_NA = 0x01;
    /** Status: device busy, already exported to someone ({@code ST_DEV_BUSY}). */
    public static final int ST_DEV_BUSY = 0x02;
    /** Status: device in error state ({@code ST_DEV_ERR}). */
    public static final int ST_DEV_ERR = 0x03;
    /** Status: no such device ({@code ST_NODEV}). */
    public static final int ST_NODEV = 0x04;
    /** Status: unexpected error ({@code ST_ERROR}). */
    public static final int ST_ERROR = 0x05;

    /**
     * @param status a wire status value
     * @return e.g. {@code 2 (ST_DEV_BUSY: device busy, already exported)}
     */
    public static String statusText(long status) {
        String text = switch ((int) status) {
            case ST_OK -> "ST_OK: success";
            case ST_NA -> "ST_NA: request failed";
            case ST_DEV_BUSY -> "ST_DEV_BUSY: device busy, already exported";
            case ST_DEV_ERR -> "ST_DEV_ERR: device in error state";
            case ST_NODEV -> "ST_NODEV: device not found";
            case ST_ERROR -> "ST_ERROR: unexpected error";
            default -> "unknown status";
        };
        return status + " (" + (status > 0xff ? "unknown status" : text) + ")";
    }

    /**
     * @param code an {@code op_common} code
     * @return e.g. {@code 0x0005 (OP_REP_DEVLIST)}
     */
    public static String codeText(int code) {
        String name = switch (code) {
            case OP_REQ_DEVLIST -> "OP_REQ_DEVLIST";
            case OP_REP_DEVLIST -> "OP_REP_DEVLIST";
            case OP_REQ_IMPORT -> "OP_REQ_IMPORT";
            case OP_REP_IMPORT -> "OP_REP_IMPORT";
            default -> "unknown";
        };
        return String.format("0x%04x (%s)", code, name);
    }
}
