package dev.hangar.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An Ed25519 key pair made by the real {@code ssh-keygen}, as a user would have it; test helper.
 *
 * @param privateKey the private key file (mode 0600, no passphrase)
 * @param publicLine the {@code .pub} line, {@code ssh-ed25519 AAAA... comment}
 */
public record KeyPairFiles(Path privateKey, String publicLine) {
    /** Generates {@code dir/name} and {@code dir/name.pub}. */
    public static KeyPairFiles generate(Path dir, String name) {
        Path key = dir.resolve(name);
        Proc.ok(
                Duration.ofSeconds(30),
                List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()));
        try {
            return new KeyPairFiles(
                    key, Files.readString(dir.resolve(name + ".pub")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
