package dev.hangar.usbip;

import java.util.Objects;

/**
 * One row of {@code hangar usb list}: the columns the issue asks for (bus id, VID:PID, class, product
 * name), resolved against {@link UsbIds} so that the table and {@code -o json} show the same values.
 *
 * @param busId bus id on the exporting host, e.g. {@code 1-3}
 * @param vidPid e.g. {@code 0483:3748}
 * @param usbClass the device's effective class ({@link UsbDevice#effectiveClass()}) as name when
 *     usb.ids knows it, else as two hex digits, e.g. {@code Vendor Specific Class} or {@code ff}
 * @param product {@code vendor : product} from usb.ids, or the VID:PID when unknown
 * @param speed e.g. {@code full speed (12 Mbit/s)}
 */
public record UsbDeviceSummary(String busId, String vidPid, String usbClass, String product, String speed) {
    /** Requires every column. */
    public UsbDeviceSummary {
        Objects.requireNonNull(busId, "busId");
        Objects.requireNonNull(vidPid, "vidPid");
        Objects.requireNonNull(usbClass, "usbClass");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(speed, "speed");
    }

    /**
     * @param device a device from {@link UsbipClient#listDevices()}
     * @param names the names database, e.g. {@link UsbIds#system()}
     * @return the row; only hex ids when {@code names} has no file
     */
    public static UsbDeviceSummary of(UsbDevice device, UsbIds names) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(names, "names");
        int cls = device.effectiveClass();
        return new UsbDeviceSummary(
                device.busId(),
                device.vidPid().toString(),
                names.className(cls).orElse(String.format("%02x", cls)),
                names.describe(device.vidPid()),
                device.usbSpeed().label());
    }
}
