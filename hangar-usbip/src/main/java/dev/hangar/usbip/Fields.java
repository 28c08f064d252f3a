package dev.hangar.usbip;

/** Range checks shared by the records of this package. */
final class Fields {
    private Fields() {}

    static int requireU8(String name, int value) {
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException(name + " must be 0..255 (one unsigned byte), got " + value);
        }
        return value;
    }

    static int requireU16(String name, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(name + " must be 0..65535 (two unsigned bytes), got " + value);
        }
        return value;
    }

    static int requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    static int requireTcpPort(String name, int value, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1) || value > 0xffff) {
            throw new IllegalArgumentException(
                    name + " must be a TCP port " + (zeroAllowed ? "0" : "1") + "..65535, got " + value);
        }
        return value;
    }

    /** Quotes user input for an error message, escaping anything that is not printable ASCII. */
    static String quote(String raw) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < raw.length() && i < 80; i++) {
            char c = raw.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (raw.length() > 80) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
