package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * An SSH host key pair that Hangar generated for a workspace, so that clients can pin it before
 * the workspace first boots.
 *
 * <p>{@link #toString()} never prints the private key, so the record is safe to log.
 *
 * @param algorithm the SSH key type, e.g. {@code ssh-ed25519} (RFC 8709)
 * @param privateKeyOpenSsh the private key in OpenSSH's {@code -----BEGIN OPENSSH PRIVATE KEY-----}
 *     format, as sshd reads it from {@code /etc/ssh/ssh_host_*_key}; a secret
 * @param publicKey the public key as one {@code authorized_keys}/{@code known_hosts} line without
 *     host names: {@code "<algorithm> <base64>"}
 */
public record SshHostKey(String algorithm, String privateKeyOpenSsh, String publicKey) {
    public SshHostKey {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(privateKeyOpenSsh, "privateKeyOpenSsh");
        Objects.requireNonNull(publicKey, "publicKey");
    }

    @Override
    public String toString() {
        return "SshHostKey[algorithm=" + algorithm + ", publicKey=" + publicKey + ", privateKey=<redacted>]";
    }
}
