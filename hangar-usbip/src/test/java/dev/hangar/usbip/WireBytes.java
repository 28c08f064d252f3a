package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Test helper to hand-assemble protocol messages field by field from the layout tables of
 * Documentation/usb/usbip_protocol.rst. It deliberately shares no code with {@link UsbipCodec}: hex is
 * written out in the tests, strings are ASCII plus explicit zero fill, and {@link #at(int)} checks the
 * running offset against the offsets printed in the spec.
 */
final class WireBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Appends bytes written as hex; white space and {@code |} separators are ignored. */
    WireBytes hex(String hex) {
        out.writeBytes(HexFormat.of().parseHex(hex.replaceAll("[\\s|]", "")));
        return this;
    }

    /** Appends {@code text} in ASCII followed by zero bytes up to {@code fieldLength}. */
    WireBytes asciiz(String text, int fieldLength) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(b);
        out.writeBytes(new byte[fieldLength - b.length]);
        return this;
    }

    /** Asserts that the next byte written lands at {@code offset} (an offset from the spec's table). */
    WireBytes at(int offset) {
        assertThat(out.size()).as("offset per usbip_protocol.rst").isEqualTo(offset);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    int size() {
        return out.size();
    }

    static byte[] of(String hex) {
        return new WireBytes().hex(hex).bytes();
    }
}
