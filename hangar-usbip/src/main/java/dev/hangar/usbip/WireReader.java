package dev.hangar.usbip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads big-endian fields of one USB/IP message from a stream, tracking the byte offset so that
 * errors can say exactly where a message went wrong. Not thread-safe; one instance per message.
 */
final class WireReader {
    private final InputStream in;
    private final String message;
    private long offset;

    WireReader(InputStream in, String message) {
        this.in = in;
        this.message = message;
    }

    long offset() {
        return offset;
    }

    String message() {
        return message;
    }

    byte[] bytes(int length, String field) throws IOException {
        byte[] data = in.readNBytes(length);
        if (data.length < length) {
            throw new UsbipProtocolException("truncated " + message + ": the data ended after " + (offset + data.length)
                    + " bytes while reading " + field + " (" + length + " bytes at offset " + offset + ")");
        }
        offset += length;
        return data;
    }

    int u8(String field) throws IOException {
        return bytes(1, field)[0] & 0xff;
    }

    int u16(String field) throws IOException {
        byte[] b = bytes(2, field);
        return ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    }

    long u32(String field) throws IOException {
        byte[] b = bytes(4, field);
        return ((long) (b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** A u32 that must fit a Java int; larger values are refused as implausible. */
    int u32AsInt(String field) throws IOException {
        long start = offset;
        long value = u32(field);
        if (value > Integer.MAX_VALUE) {
            throw new UsbipProtocolException(
                    message + ": " + field + " at offset " + start + " is " + value + ", which is not plausible");
        }
        return (int) value;
    }

    /**
     * A fixed-size, NUL-terminated string field. Bytes after the terminator are ignored (the spec says
     * they "shall" be zero; tolerating garbage there costs nothing). The text must be printable ASCII.
     */
    String string(int length, String field) throws IOException {
        long start = offset;
        byte[] raw = bytes(length, field);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            int b = raw[end] & 0xff;
            if (b < 0x20 || b > 0x7e) {
                throw new UsbipProtocolException(String.format(
                        "%s: %s contains byte 0x%02x at offset %d; expected printable ASCII",
                        message, field, b, start + end));
            }
            end++;
        }
        if (end == raw.length) {
            throw new UsbipProtocolException(message + ": " + field + " (" + length + " bytes at offset " + start
                    + ") is not terminated by a zero byte");
        }
        return new String(raw, 0, end, StandardCharsets.US_ASCII);
    }
}
