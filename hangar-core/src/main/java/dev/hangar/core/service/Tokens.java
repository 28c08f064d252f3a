package dev.hangar.core.service;

import dev.hangar.core.domain.ValidationException;
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
    private static final Pattern LIFETIME = Pattern.compile("([0-9]{1,6})([mhdw])");
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

    /**
     * A token as created for a user: the stored row and the full token string, shown once.
     *
     * @param stored the stored row (only the hash of the secret)
     * @param token the full {@code hgr_<id>_<secret>} string
     */
    public record Created(dev.hangar.core.domain.ApiToken stored, String token) {
        @Override
        public String toString() {
            return "Created[" + stored + ", token=<redacted>]";
        }
    }

    /**
     * Parses a token lifetime such as {@code 30d}, {@code 12h}, {@code 90m} or {@code 2w}: a
     * positive whole number (at most 6 digits) and one unit letter.
     *
     * @param field the request field, named in the error
     * @throws ValidationException naming {@code field} for anything else
     */
    public static java.time.Duration parseLifetime(String field, String s) {
        Matcher m = LIFETIME.matcher(s.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0)
            throw new ValidationException(
                    field,
                    "invalid lifetime '" + s + "'; use a positive number and a unit m, h, d or w, e.g. 30d or 12h");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            case "d" -> java.time.Duration.ofDays(n);
            default -> java.time.Duration.ofDays(7 * n);
        };
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
