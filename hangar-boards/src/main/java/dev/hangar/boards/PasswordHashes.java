package dev.hangar.boards;

import java.security.SecureRandom;
import java.util.Base64;
import org.apache.commons.codec.digest.Sha2Crypt;

/** Password hashes for when a person gives none. Thread-safe. */
public final class PasswordHashes {
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHashes() {}

    /**
     * @return a SHA-512 crypt(5) hash ({@code $6$...}) of 32 random bytes that are then forgotten:
     *     a valid hash no password matches in practice, so password logins stay impossible while
     *     SSH keys work
     */
    public static String unguessable() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        byte[] salt = new byte[12];
        RANDOM.nextBytes(salt);
        String saltText =
                Base64.getEncoder().withoutPadding().encodeToString(salt).replace('+', '.');
        return Sha2Crypt.sha512Crypt(secret, "$6$" + saltText);
    }
}
