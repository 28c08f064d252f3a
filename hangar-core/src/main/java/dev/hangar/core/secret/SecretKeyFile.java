package dev.hangar.core.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The server's secrets key file: one line, the base64 of 32 random bytes (an AES-256 key). Created
 * on first start with permissions 0600 (owner read/write only) when absent; an existing file that
 * group or others may read, or that does not hold exactly 32 bytes, is refused with a message
 * naming the file. Back it up with the database: without it, stored secrets cannot be decrypted.
 */
public final class SecretKeyFile {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretKeyFile() {}

    /**
     * Reads the key, creating the file (and its parent directories) with a new random key first
     * when it does not exist. Idempotent: a second call reads what the first wrote. Safe against
     * concurrent callers in this and other processes on the same file: the file appears whole or
     * not at all, and all callers get the one key that was linked first.
     *
     * @return a cipher over the file's key
     * @throws IllegalStateException if the file is unreadable, group- or world-accessible, or not a
     *     base64 32-byte key (the message names the file; it never contains the key)
     */
    public static SecretCipher loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) create(file);
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!EnumSet.copyOf(OWNER_ONLY).containsAll(perms))
                throw new IllegalStateException("secrets key file " + file + " has permissions "
                        + PosixFilePermissions.toString(perms) + "; it must be readable by its owner only (chmod 600)");
            byte[] key;
            try {
                key = Base64.getDecoder()
                        .decode(Files.readString(file, StandardCharsets.US_ASCII)
                                .strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("secrets key file " + file + " is not base64", e);
            }
            if (key.length != SecretCipher.KEY_BYTES)
                throw new IllegalStateException("secrets key file " + file + " holds " + key.length
                        + " bytes; it must hold a base64 " + SecretCipher.KEY_BYTES + "-byte key");
            return new SecretCipher(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create secrets key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        byte[] key = new byte[SecretCipher.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        // Written whole into a private temporary file, then hard-linked to the final name: link(2)
        // fails if the name exists, so two servers starting at once on one HANGAR_HOME never see
        // the other's half-written file, and exactly one key wins (the loser reads the winner's).
        // Created 0600 at once: no moment where it is readable by others.
        Path tmp = Files.createTempFile(dir, ".secrets-key-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException e) {
            // created concurrently: read that one
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
