package dev.hangar.api;

import java.time.Instant;

/**
 * A registered SSH public key.
 *
 * @param algorithm e.g. {@code ssh-ed25519}
 * @param bits key size in bits
 * @param fingerprint OpenSSH SHA-256 fingerprint, {@code SHA256:...} (as {@code ssh-keygen -l} prints)
 * @param comment the key's comment; empty when none
 * @param addedAt when it was registered
 */
public record SshKeyView(String algorithm, int bits, String fingerprint, String comment, Instant addedAt) {}
