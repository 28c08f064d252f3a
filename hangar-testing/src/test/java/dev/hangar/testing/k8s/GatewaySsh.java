package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import dev.hangar.server.GatewayHook;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The real {@code ssh} client through a Hangar gateway, for the Kubernetes ITs (one copy). */
final class GatewaySsh {
    private GatewaySsh() {}

    /**
     * Makes an ed25519 key pair with {@code ssh-keygen} in a new 0700 directory {@code dir} and
     * registers its public key for the user of {@code token}.
     *
     * @return the private key file
     */
    static Path registeredKey(Path dir, TestHttp http, String token) throws IOException {
        Path keys = Files.createDirectory(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path key = keys.resolve("id_ed25519");
        LocalCluster.Result gen = LocalCluster.run(
                Duration.ofSeconds(30),
                List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "it@hangar", "-f", key.toString()));
        assertThat(gen.exitCode()).as(gen.output()).isZero();
        String body = dev.hangar.api.Json.mapper()
                .createObjectNode()
                .put("key", Files.readString(keys.resolve("id_ed25519.pub")).strip())
                .toString();
        HttpResponse<String> added = http.post("/api/v1/users/me/keys", token, body);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        return key;
    }

    /**
     * Writes the ssh config {@code hangar config-ssh} writes (same writer) into a new 0700 home
     * {@code sshHome}: ProxyJump through {@code cp}'s gateway, the gateway's and the workspace's host
     * keys pinned, StrictHostKeyChecking yes.
     *
     * @return the {@code .ssh/config} to pass to {@code ssh -F}
     */
    static Path config(
            Path sshHome, TestControlPlane cp, String user, String workspace, String workspaceHostKey, Path clientKey)
            throws IOException {
        GatewayHook.GatewayInfo gw = cp.server().gateway();
        return config(
                sshHome,
                new GatewayHost(gw.host(), gw.port(), gw.hostKey()),
                user,
                workspace,
                workspaceHostKey,
                clientKey);
    }

    /**
     * {@link #config(Path, TestControlPlane, String, String, String, Path)} for a gateway given by
     * address and host key (e.g. the in-cluster gateway behind its NodePort).
     */
    static Path config(
            Path sshHome, GatewayHost gateway, String user, String workspace, String workspaceHostKey, Path clientKey)
            throws IOException {
        Files.createDirectory(
                sshHome, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        new SshConfigWriter(sshHome)
                .apply(new SshConfigInput(
                        gateway,
                        user,
                        clientKey.toAbsolutePath(),
                        List.of(new WorkspaceHostKey(workspace, workspaceHostKey))));
        // ~/.ssh/config gets one Include line; the hosts live in the file Hangar manages.
        assertThat(Files.readString(sshHome.resolve(".ssh/hangar/config")))
                .contains("ProxyJump", "StrictHostKeyChecking yes");
        return sshHome.resolve(".ssh/config");
    }

    /**
     * Runs {@code command} on {@code host} with the real {@code ssh} client and {@code sshConfig}
     * (written by {@code hangar config-ssh}: ProxyJump through the gateway, host keys pinned),
     * retrying for up to 3 min while ssh itself fails (exit 255): a pod is Ready when its TCP probe
     * connects, which can precede sshd's first accepted session by a moment. Any other exit status
     * fails the test.
     *
     * @param gateway how the failure message names the gateway, e.g. "the in-cluster gateway"
     * @return the command's stdout lines
     */
    static List<String> awaitSsh(Path sshConfig, String host, String command, String gateway) {
        AtomicReference<LocalCluster.Result> last = new AtomicReference<>();
        List<String> cmd = List.of(
                "ssh", "-F", sshConfig.toString(), "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", host, command);
        try {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        LocalCluster.Result r = LocalCluster.run(Duration.ofSeconds(90), cmd);
                        last.set(r);
                        return r.exitCode() != 255;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("ssh through " + gateway + " never succeeded; last attempt: "
                    + (last.get() == null ? "none" : last.get().output()));
        }
        assertThat(last.get().exitCode()).as(last.get().output()).isZero();
        return last.get().stdout().strip().lines().toList();
    }
}
