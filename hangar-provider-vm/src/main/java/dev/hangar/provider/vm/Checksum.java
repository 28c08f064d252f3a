package dev.hangar.provider.vm;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * An expected file digest.
 *
 * @param algorithm {@code sha256} or {@code sha512} (FIPS 180-4)
 * @param hex the digest in lower-case hexadecimal, 64 or 128 digits
 */
public record Checksum(String algorithm, String hex) {
    public Checksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        hex = hex.toLowerCase(Locale.ROOT);
        int digits = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new IllegalArgumentException("checksum type must be sha256 or sha512, got " + algorithm);
        };
        if (hex.length() != digits || !hex.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException(
                    algorithm + " checksum must be " + digits + " hexadecimal digits, got '" + hex + "'");
        }
    }

    /** @return the {@link java.security.MessageDigest} algorithm name, e.g. {@code SHA-256} */
    public String jcaName() {
        return algorithm.equals("sha256") ? "SHA-256" : "SHA-512";
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
