package dev.hangar.gateway;

import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The gateway as this module's tests and benchmarks run it, one copy: on a loopback port the kernel
 * chooses, its host key under a test directory, and the OpenSSH configuration {@code hangar
 * config-ssh} writes for a user of it (so every client runs with strict host key checking against
 * the gateway's real key). Stateless; the caller closes the gateway.
 */
public final class LoopbackGateway {
    /** How long the gateway waits for a workspace's sshd to accept a connection, in these tests. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private LoopbackGateway() {}

    /** @return settings for {@code 127.0.0.1}, port 0, host key in {@code stateDir} (created if absent) */
    public static GatewayConfig config(Path stateDir) {
        return new GatewayConfig("127.0.0.1", 0, stateDir, CONNECT_TIMEOUT);
    }

    /**
     * Starts a gateway ({@link SshGateway#start(GatewayConfig, GatewayDirectory, GatewayAudit)}) on
     * {@link #config}.
     *
     * @throws java.io.UncheckedIOException when it cannot bind or read its host key
     */
    public static SshGateway start(Path stateDir, GatewayDirectory directory, GatewayAudit audit) {
        return SshGateway.start(config(stateDir), directory, audit);
    }

    /**
     * Writes what {@code hangar config-ssh} writes into the fresh home {@code home} for {@code user}
     * of {@code gateway}: the gateway's host key, the user's key and the workspaces' pinned keys.
     *
     * @param privateKey the user's private key file
     * @param workspaceKeys the workspaces the user may reach by name, with their host keys (may be empty)
     * @return the user's {@code ~/.ssh/config} (it includes Hangar's), for {@code ssh -F}
     */
    public static Path userConfig(
            SshGateway gateway, Path home, String user, Path privateKey, List<WorkspaceHostKey> workspaceKeys) {
        SshConfigWriter writer = new SshConfigWriter(home);
        writer.apply(new SshConfigInput(
                new GatewayHost("127.0.0.1", gateway.port(), gateway.hostKeyLine()), user, privateKey, workspaceKeys));
        return writer.userConfig();
    }

    /**
     * An {@code ssh -R} like the one {@code hangar usb attach} runs to hold a workspace's USB/IP
     * forward (ADR 0019; {@code GatewayUsbipTunnel}): {@code ssh -N -R BIND:127.0.0.1:PORT
     * hangar-gateway}, in batch mode, failing when the gateway refuses the forward.
     *
     * @param bind the forward's address, such as {@code dev.usbip:3240}
     * @param usbipdPort the loopback port of the PC's usbipd (or what stands for it)
     */
    public static List<String> usbipForward(Path config, String bind, int usbipdPort) {
        return List.of(
                "ssh",
                "-F",
                config.toString(),
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=20",
                "-N",
                "-o",
                "ExitOnForwardFailure=yes",
                "-R",
                bind + ":127.0.0.1:" + usbipdPort,
                "hangar-gateway");
    }
}
