package dev.hangar.usbip;

/**
 * Byte-exact USB/IP messages assembled by hand from the tables in the Linux kernel's
 * Documentation/usb/usbip_protocol.rst (offsets asserted against the spec), shared by the codec and
 * client tests. The devices are an ST-Link/V2 debugger (one vendor-specific interface) and an Arduino
 * Uno style CDC-ACM serial device with two interfaces.
 */
final class SpecMessages {
    private SpecMessages() {}

    static final String STLINK_PATH = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3";
    static final String ARDUINO_PATH = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2";

    /** OP_REQ_DEVLIST: version 0x0111, code 0x8005, status 0. */
    static final byte[] DEVLIST_REQUEST = WireBytes.of("0111 8005 00000000");

    /** OP_REP_DEVLIST with n = 0: the message ends after the count. */
    static final byte[] EMPTY_DEVLIST_REPLY = WireBytes.of("0111 0005 00000000 00000000");

    /** OP_REP_DEVLIST listing the ST-Link (1 interface) and the Arduino (2 interfaces). */
    static byte[] twoDeviceDevlistReply() {
        WireBytes w = new WireBytes()
                .hex("0111 | 0005 | 00000000") // version, OP_REP_DEVLIST, status OK
                .hex("00000002") // number of exported devices
                .at(0x0C)
                .asciiz(STLINK_PATH, 256)
                .at(0x10C)
                .asciiz("1-3", 32)
                .at(0x12C)
                .hex("00000001") // busnum 1
                .at(0x130)
                .hex("00000004") // devnum 4
                .at(0x134)
                .hex("00000002") // speed 2 = full speed
                .at(0x138)
                .hex("0483") // idVendor STMicroelectronics
                .at(0x13A)
                .hex("3748") // idProduct ST-LINK/V2
                .at(0x13C)
                .hex("0100") // bcdDevice 1.00
                .at(0x13E)
                .hex("00 00 00") // bDeviceClass/SubClass/Protocol: per interface
                .at(0x141)
                .hex("01") // bConfigurationValue
                .at(0x142)
                .hex("01") // bNumConfigurations
                .at(0x143)
                .hex("01") // bNumInterfaces
                .at(0x144)
                .hex("ff ff ff 00") // vendor-specific interface + padding
                // second device at 0xC + i*0x138 + m_0*4 with i = 1, m_0 = 1
                .at(0x0C + 0x138 + 4)
                .asciiz(ARDUINO_PATH, 256)
                .asciiz("1-1.2", 32)
                .hex("00000001 00000007 00000002") // busnum 1, devnum 7, full speed
                .hex("2341 0043 0001") // Arduino SA, Uno R3, bcdDevice 0.01
                .hex("02 00 00") // Communications device class
                .hex("01 01 02") // configuration 1 of 1, two interfaces
                .hex("02 02 01 00") // CDC communications, ACM, AT commands
                .hex("0a 00 00 00"); // CDC data
        return w.at(0x0C + 2 * 0x138 + 3 * 4).bytes();
    }

    /** OP_REQ_IMPORT for bus id 1-3. */
    static byte[] importRequest13() {
        return new WireBytes()
                .hex("0111 8003 00000000")
                .at(8)
                .asciiz("1-3", 32)
                .at(40)
                .bytes();
    }

    /** OP_REP_IMPORT, status OK, with the ST-Link device record (no interfaces). */
    static byte[] importReplyStlink() {
        return new WireBytes()
                .hex("0111 0003 00000000")
                .at(8)
                .asciiz(STLINK_PATH, 256)
                .at(0x108)
                .asciiz("1-3", 32)
                .at(0x128)
                .hex("00000001 00000004 00000002")
                .at(0x134)
                .hex("0483 3748 0100")
                .at(0x13A)
                .hex("00 00 00 01 01 01")
                .at(0x140)
                .bytes();
    }

    static UsbDevice stlink() {
        return new UsbDevice(
                STLINK_PATH,
                "1-3",
                1,
                4,
                2,
                0x0483,
                0x3748,
                0x0100,
                0,
                0,
                0,
                1,
                1,
                1,
                java.util.List.of(new UsbInterface(0xff, 0xff, 0xff)));
    }

    static UsbDevice arduino() {
        return new UsbDevice(
                ARDUINO_PATH,
                "1-1.2",
                1,
                7,
                2,
                0x2341,
                0x0043,
                0x0001,
                2,
                0,
                0,
                1,
                1,
                2,
                java.util.List.of(new UsbInterface(0x02, 0x02, 0x01), new UsbInterface(0x0a, 0x00, 0x00)));
    }
}
