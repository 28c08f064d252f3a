package dev.hangar.boards;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks what a person types for a board or an install, before anything is written. Every method
 * either returns the parsed value or throws {@link IllegalArgumentException} with one line that
 * names the option ({@code what}), the value (never a secret) and what to fix. Stateless and
 * thread-safe.
 */
public final class Inputs {
    /** RFC 1123 section 2.1: letters, digits, hyphens; 1-63 characters; no hyphen at either end. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    /** Debian's adduser default NAME_REGEX, at most 32 characters (useradd's limit). */
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    /** crypt(5) hashes that Ubuntu's chpasswd -e and Subiquity accept: yescrypt, SHA-512, SHA-256, bcrypt, MD5. */
    private static final Pattern CRYPT_HASH = Pattern.compile("\\$(y|6|5|2[aby]|1)\\$[./A-Za-z0-9$]{8,}");

    /** OpenSSH public key algorithms (ssh-keygen's PROTOCOL.* and RFC 4253 / 5656 / 8709 names). */
    private static final Set<String> KEY_TYPES = Set.of(
            "ssh-ed25519",
            "ssh-rsa",
            "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com");

    private Inputs() {}

    /**
     * @return {@code value}, a single-label host name (RFC 1123, e.g. {@code bee42-crew-01-001})
     * @throws IllegalArgumentException if it is not one
     */
    public static String hostname(String what, String value) {
        if (value.contains(".")) {
            throw new IllegalArgumentException(what + " '" + value + "': give the host name without a domain, e.g. '"
                    + value.substring(0, value.indexOf('.')) + "' (mDNS adds .local)");
        }
        if (!LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " '" + value + "' is not a valid host name (RFC 1123): use 1 to 63"
                            + " letters, digits and hyphens, not starting or ending with a hyphen");
        }
        return value;
    }

    /**
     * @return {@code value}, a Linux user name other than root
     * @throws IllegalArgumentException if it is not one
     */
    public static String userName(String what, String value) {
        if (value.equals("root")) {
            throw new IllegalArgumentException(what + " 'root': give an ordinary user; it gets sudo");
        }
        if (!USER.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " '" + value + "' is not a valid user name: use up to 32 lower-case"
                            + " letters, digits, '-' and '_', starting with a letter or '_'");
        }
        return value;
    }

    /**
     * @return the IP address {@code value} spells (IPv4 dotted quad or IPv6); never a DNS lookup
     * @throws IllegalArgumentException if it is not an IP address literal
     */
    public static InetAddress ipAddress(String what, String value) {
        try {
            return InetAddress.ofLiteral(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    what + " '" + value + "' is not an IP address: give e.g. 192.168.0.1 (a name is not accepted)");
        }
    }

    /**
     * @return the address and prefix {@code value} spells, e.g. {@code 192.168.0.11/24}
     * @throws IllegalArgumentException if it is not {@code ADDRESS/PREFIX}
     */
    public static Cidr cidr(String what, String value) {
        int slash = value.indexOf('/');
        String hint = " give the board's address with its prefix length, e.g. 192.168.0.11/24";
        if (slash < 0) throw new IllegalArgumentException(what + " '" + value + "' has no prefix length:" + hint);
        InetAddress address;
        int prefix;
        try {
            address = InetAddress.ofLiteral(value.substring(0, slash));
            prefix = Integer.parseInt(value.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + value + "' is not an address/prefix:" + hint);
        }
        if (prefix < 1 || prefix > Cidr.bits(address)) {
            throw new IllegalArgumentException(
                    what + " '" + value + "': the prefix length must be 1 to " + Cidr.bits(address) + ";" + hint);
        }
        return new Cidr(address, prefix);
    }

    /**
     * Reads OpenSSH public keys (one per line, as in {@code id_ed25519.pub} or an {@code
     * authorized_keys} file; blank lines and {@code #} comments skipped).
     *
     * @return the keys, each as {@code TYPE BASE64 [COMMENT]}, stripped
     * @throws IllegalArgumentException if the file is missing, empty, a private key, or a line is not
     *     a public key whose type matches its key blob
     * @throws IOException if the file exists but cannot be read
     */
    public static List<String> publicKeys(String what, Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " " + file + ": no such file; give your public key, e.g."
                    + " ~/.ssh/id_ed25519.pub (create one with ssh-keygen -t ed25519)");
        }
        if (text.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException(
                    what + " " + file + " is a private key; give the public key (the .pub file next to it)");
        }
        List<String> keys = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.lines().toList()) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] parts = l.split("\\s+", 3);
            if (parts.length < 2 || !KEY_TYPES.contains(parts[0]) || !blobHasType(parts[1], parts[0])) {
                throw new IllegalArgumentException(what + " " + file + " line " + lineNo
                        + " is not an OpenSSH public key ('ssh-ed25519 AAAA... comment'); give the .pub file");
            }
            keys.add(l);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    what + " " + file + " holds no public key; give e.g. ~/.ssh/id_ed25519.pub");
        }
        return keys;
    }

    /** RFC 4253 section 6.6: the key blob starts with its algorithm name as an SSH string. */
    private static boolean blobHasType(String base64, String type) {
        try {
            ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(base64));
            int len = blob.getInt();
            if (len != type.length() || blob.remaining() < len) return false;
            byte[] name = new byte[len];
            blob.get(name);
            return new String(name, StandardCharsets.US_ASCII).equals(type);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            return false;
        }
    }

    /**
     * @return {@code ssid}, a Wi-Fi network name of 1 to 32 bytes (IEEE 802.11)
     * @throws IllegalArgumentException if it is empty or too long
     */
    public static String wifiSsid(String what, String ssid) {
        int bytes = ssid.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > 32) {
            throw new IllegalArgumentException(
                    what + " '" + ssid + "' has " + bytes + " bytes; a Wi-Fi network name has 1 to 32");
        }
        return ssid;
    }

    /**
     * @return {@code country} in upper case, an ISO 3166-1 alpha-2 code (the Wi-Fi regulatory domain)
     * @throws IllegalArgumentException if it is not two letters
     */
    public static String wifiCountry(String what, String country) {
        if (!country.matches("[A-Za-z]{2}")) {
            throw new IllegalArgumentException(
                    what + " '" + country + "': give the two-letter country code (ISO 3166-1), e.g. DE or GB");
        }
        return country.toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Reads a WPA2/WPA3-Personal passphrase from a file (its first line; a trailing newline is not
     * part of it). The passphrase never appears in a message.
     *
     * @return the passphrase: 8 to 63 printable ASCII characters, or 64 hexadecimal digits (a raw
     *     PSK), as wpa_supplicant and NetworkManager accept
     * @throws IllegalArgumentException if the file is missing, holds more than one line, or the
     *     passphrase has the wrong length or characters
     * @throws IOException if the file exists but cannot be read
     */
    public static String wifiPsk(String what, Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " " + file + ": no such file; write the Wi-Fi passphrase into a"
                    + " file (one line, mode 0600) and give its path");
        }
        List<String> lines = text.lines().toList();
        if (lines.size() != 1) {
            throw new IllegalArgumentException(
                    what + " " + file + " must hold the passphrase on one line, it has " + lines.size() + " lines");
        }
        String psk = lines.getFirst();
        boolean hex = psk.length() == 64 && psk.chars().allMatch(c -> Character.digit(c, 16) >= 0);
        boolean printable = psk.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
        if (!hex && (psk.length() < 8 || psk.length() > 63 || !printable)) {
            throw new IllegalArgumentException(what + " " + file + ": the passphrase has " + psk.length()
                    + " characters" + (printable ? "" : " (some not printable ASCII)")
                    + "; WPA2 needs 8 to 63 printable ASCII characters or 64 hex digits");
        }
        return psk;
    }

    /**
     * Reads a crypt(5) password hash from a file (first line), as {@code mkpasswd -m sha-512} or
     * {@code openssl passwd -6} print it.
     *
     * @return the hash
     * @throws IllegalArgumentException if the file is missing or its content is not a crypt hash
     *     (e.g. a plain password)
     * @throws IOException if the file exists but cannot be read
     */
    public static String passwordHash(String what, Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " " + file + ": no such file");
        }
        if (!CRYPT_HASH.matcher(text).matches()) {
            throw new IllegalArgumentException(what + " " + file + " does not hold a password hash; write one with"
                    + " 'mkpasswd -m sha-512' or 'openssl passwd -6' (a plain password is not accepted)");
        }
        return text;
    }
}
