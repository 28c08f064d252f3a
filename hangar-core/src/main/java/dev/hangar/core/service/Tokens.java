package dev.hangar.core.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bearer API token format and hashing. A token is {@code hgr_<id>_<secret>}: {@code id} is 16 hex
 * characters that find the stored row, {@code secret} is 32 random bytes in unpadded base64url.
 * Only SHA-256 of the secret is stored. Thread-safe.
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("hgr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");

    private Tokens() {}

    /**
     * A token as issued: the full string is shown to the user once; only {@code secretHash} is
     * stored.
     */
    public record Issued(String id, String token, String secretHash) {
        @Override
        public String toString() {
            return "Issued[id=" + id + ", token=<redacted>]";
        }
    }

    /** A token split into its parts. */
    public record Parsed(String id, String secret) {
        @Override
        public String toString() {
            return "Parsed[id=" + id + ", secret=<redacted>]";
        }
    }

    /** @return a new random token */
    public static Issued issue() {
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String s = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Issued(id, "hgr_" + id + "_" + s, hash(s));
    }

    /** @return the parts of a well-formed token; empty for anything else */
    public static Optional<Parsed> parse(String token) {
        if (token == null) return Optional.empty();
        Matcher m = FORMAT.matcher(token.strip());
        return m.matches() ? Optional.of(new Parsed(m.group(1), m.group(2))) : Optional.empty();
    }

    /** @return lower-case hex SHA-256 of the secret */
    public static String hash(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return true when {@code secret} hashes to {@code expectedHash}, compared in constant time */
    public static boolean matches(String secret, String expectedHash) {
        return MessageDigest.isEqual(
                hash(secret).getBytes(StandardCharsets.US_ASCII), expectedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
