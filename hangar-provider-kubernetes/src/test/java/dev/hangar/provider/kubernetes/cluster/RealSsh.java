package dev.hangar.provider.kubernetes.cluster;

import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.SshHostKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * Keys made by the real {@code ssh-keygen} and commands run with the real OpenSSH {@code ssh}
 * client, pinning the workspace's host key (no trust on first use).
 *
 * <p>The directory is 0700 because ssh refuses private keys other users can read. Not thread-safe.
 */
final class RealSsh {
    private static final String HOST_ALIAS = "hangar-workspace";

    private final Path dir;
    private final SshHostKey hostKey;
    private final String userPublicKey;

    private RealSsh(Path dir, SshHostKey hostKey, String userPublicKey) {
        this.dir = dir;
        this.hostKey = hostKey;
        this.userPublicKey = userPublicKey;
    }

    /** Generates an ed25519 host key (for the workspace Secret) and an ed25519 user key in {@code dir}. */
    static RealSsh create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        keygen(dir.resolve("host"));
        keygen(dir.resolve("user"));
        SshHostKey hostKey = new SshHostKey(
                "ssh-ed25519",
                Files.readString(dir.resolve("host")),
                Files.readString(dir.resolve("host.pub")).strip());
        // Pinned under an alias: the port-forward's loopback port changes on every start.
        Files.writeString(dir.resolve("known_hosts"), HOST_ALIAS + " " + hostKey.publicKey() + "\n");
        return new RealSsh(
                dir, hostKey, Files.readString(dir.resolve("user.pub")).strip());
    }

    SshHostKey hostKey() {
        return hostKey;
    }

    String userPublicKey() {
        return userPublicKey;
    }

    /**
     * Runs {@code command} as {@code user} on {@code endpoint} with the real ssh client.
     *
     * @return the result; exit code 255 means ssh itself failed (connection, host key, auth)
     */
    LocalCluster.Result exec(SshEndpoint endpoint, String user, String command) {
        return LocalCluster.run(
                Duration.ofSeconds(60),
                List.of(
                        "ssh",
                        "-F",
                        "/dev/null",
                        "-i",
                        dir.resolve("user").toString(),
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "StrictHostKeyChecking=yes",
                        "-o",
                        "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                        "-o",
                        "HostKeyAlias=" + HOST_ALIAS,
                        "-o",
                        "ConnectTimeout=20",
                        "-o",
                        "LogLevel=ERROR",
                        "-p",
                        Integer.toString(endpoint.port()),
                        user + "@" + endpoint.host(),
                        command));
    }

    private static void keygen(Path file) {
        LocalCluster.Result r = LocalCluster.run(
                Duration.ofSeconds(30),
                List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hangar-it", "-f", file.toString()));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("ssh-keygen failed (apt-get install -y openssh-client): " + r.output());
        }
    }
}
