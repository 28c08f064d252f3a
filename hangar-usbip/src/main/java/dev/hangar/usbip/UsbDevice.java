package dev.hangar.usbip;

import java.util.List;
import java.util.Objects;

/**
 * One device record of {@code OP_REP_DEVLIST} or {@code OP_REP_IMPORT} ({@code struct
 * usbip_usb_device}, 312 bytes on the wire): where the device sits on the exporting host and the
 * identifying fields of its USB device descriptor.
 *
 * <p>{@code OP_REP_DEVLIST} follows each record with {@code bNumInterfaces} interface records, so
 * there {@link #interfaces()} has exactly {@link #numInterfaces()} entries. {@code OP_REP_IMPORT}
 * carries only the count; its devices have an empty {@link #interfaces()} list.
 *
 * <p>Field names follow {@code Documentation/usb/usbip_protocol.rst}; values are the unsigned wire
 * values. The record is immutable and serialises with Jackson as-is (e.g. for {@code -o json}).
 *
 * @param path sysfs path of the device on the exporting host, e.g. {@code
 *     /sys/devices/pci0000:00/0000:00:1d.1/usb3/3-2}; printable ASCII, at most 255 bytes
 * @param busId bus id under which it is exported, e.g. {@code 3-2}; printable ASCII, at most 31 bytes.
 *     Kept as text because a server may report ids {@link BusId} would refuse; use {@link BusId#parse}
 *     before putting it into a command
 * @param busNum {@code busnum}, the host's USB bus number
 * @param devNum {@code devnum}, the device's address on that bus
 * @param speed {@code speed}, a kernel {@code enum usb_device_speed} value; see {@link #usbSpeed()}
 * @param vendorId {@code idVendor}
 * @param productId {@code idProduct}
 * @param bcdDevice {@code bcdDevice}, the device release number in BCD
 * @param deviceClass {@code bDeviceClass} (0 means "defined per interface")
 * @param deviceSubClass {@code bDeviceSubClass}
 * @param deviceProtocol {@code bDeviceProtocol}
 * @param configurationValue {@code bConfigurationValue} of the active configuration
 * @param numConfigurations {@code bNumConfigurations}
 * @param numInterfaces {@code bNumInterfaces} of the active configuration
 * @param interfaces the interface records (devlist) or empty (import reply); an unmodifiable copy
 */
public record UsbDevice(
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
        int numInterfaces,
        List<UsbInterface> interfaces) {

    /** Checks ranges and that the interface list is either empty or {@code numInterfaces} long. */
    public UsbDevice {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(busId, "busId");
        interfaces = List.copyOf(Objects.requireNonNull(interfaces, "interfaces"));
        Fields.requireNonNegative("busnum", busNum);
        Fields.requireNonNegative("devnum", devNum);
        Fields.requireNonNegative("speed", speed);
        Fields.requireU16("idVendor", vendorId);
        Fields.requireU16("idProduct", productId);
        Fields.requireU16("bcdDevice", bcdDevice);
        Fields.requireU8("bDeviceClass", deviceClass);
        Fields.requireU8("bDeviceSubClass", deviceSubClass);
        Fields.requireU8("bDeviceProtocol", deviceProtocol);
        Fields.requireU8("bConfigurationValue", configurationValue);
        Fields.requireU8("bNumConfigurations", numConfigurations);
        Fields.requireU8("bNumInterfaces", numInterfaces);
        if (!interfaces.isEmpty() && interfaces.size() != numInterfaces) {
            throw new IllegalArgumentException("bNumInterfaces is " + numInterfaces + " but " + interfaces.size()
                    + " interfaces were given; give all of them or none");
        }
    }

    /** @return {@code idVendor:idProduct}, e.g. {@code 0483:3748} */
    public VidPid vidPid() {
        return new VidPid(vendorId, productId);
    }

    /** @return {@link #speed()} decoded; {@link UsbSpeed#UNKNOWN} for codes newer than this enum */
    public UsbSpeed usbSpeed() {
        return UsbSpeed.fromCode(speed);
    }

    /**
     * The class that best describes the device: {@code bDeviceClass}, or when that is 0 ("defined at
     * interface level") the class of the first interface.
     *
     * @return a USB class code 0..255
     */
    public int effectiveClass() {
        if (deviceClass == 0 && !interfaces.isEmpty()) {
            return interfaces.getFirst().interfaceClass();
        }
        return deviceClass;
    }
}
