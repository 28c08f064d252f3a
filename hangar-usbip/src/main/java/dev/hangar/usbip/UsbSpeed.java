package dev.hangar.usbip;

/**
 * USB device speeds as numbered by the Linux kernel's {@code enum usb_device_speed}
 * ({@code include/uapi/linux/usb/ch9.h}); USB/IP sends this number in the {@code speed} field of a
 * device record.
 */
public enum UsbSpeed {
    /** 0: not known (also used here for codes newer than this enum). */
    UNKNOWN(0, "unknown speed"),
    /** 1: USB 1.x low speed, 1.5 Mbit/s. */
    LOW(1, "low speed (1.5 Mbit/s)"),
    /** 2: USB 1.x full speed, 12 Mbit/s. */
    FULL(2, "full speed (12 Mbit/s)"),
    /** 3: USB 2.0 high speed, 480 Mbit/s. */
    HIGH(3, "high speed (480 Mbit/s)"),
    /** 4: wireless USB. */
    WIRELESS(4, "wireless"),
    /** 5: USB 3.x SuperSpeed, 5 Gbit/s. */
    SUPER(5, "SuperSpeed (5 Gbit/s)"),
    /** 6: USB 3.x SuperSpeed Plus, 10 Gbit/s and more. */
    SUPER_PLUS(6, "SuperSpeed Plus (10 Gbit/s)");

    private final int code;
    private final String label;

    UsbSpeed(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** @return the kernel's number for this speed */
    public int code() {
        return code;
    }

    /** @return a human-readable label such as {@code high speed (480 Mbit/s)} */
    public String label() {
        return label;
    }

    /**
     * @param code the wire value of the {@code speed} field
     * @return the matching speed, or {@link #UNKNOWN} for values this enum does not know
     */
    public static UsbSpeed fromCode(long code) {
        for (UsbSpeed speed : values()) {
            if (speed.code == code) {
                return speed;
            }
        }
        return UNKNOWN;
    }
}
