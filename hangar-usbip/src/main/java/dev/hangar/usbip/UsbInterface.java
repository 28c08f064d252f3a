package dev.hangar.usbip;

/**
 * One interface of an exported device as listed in {@code OP_REP_DEVLIST}: the 4-byte record {@code
 * bInterfaceClass, bInterfaceSubClass, bInterfaceProtocol, padding} from the USB interface
 * descriptor (USB 2.0 spec, table 9-12). The padding byte is not kept; it is written as zero.
 *
 * @param interfaceClass {@code bInterfaceClass}, 0..255 (e.g. 0x08 mass storage, 0xff vendor specific)
 * @param interfaceSubClass {@code bInterfaceSubClass}, 0..255
 * @param interfaceProtocol {@code bInterfaceProtocol}, 0..255
 */
public record UsbInterface(int interfaceClass, int interfaceSubClass, int interfaceProtocol) {
    /** Rejects values that do not fit in an unsigned byte. */
    public UsbInterface {
        Fields.requireU8("bInterfaceClass", interfaceClass);
        Fields.requireU8("bInterfaceSubClass", interfaceSubClass);
        Fields.requireU8("bInterfaceProtocol", interfaceProtocol);
    }
}
