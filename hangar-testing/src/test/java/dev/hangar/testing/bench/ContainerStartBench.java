package dev.hangar.testing.bench;

import static org.awaitility.Awaitility.await;

import dev.hangar.cli.CliContext;
import dev.hangar.cli.CliHarness;
import dev.hangar.testfixtures.ContainerEngineInNetns;
import dev.hangar.testfixtures.HostCommands;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.docker.DockerIts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test; {@code bench/containers/create-vs-run.sh}, or {@code -Pbench
 * -Dbench.class=ContainerStartBench}): a container workspace from {@code hangar create --wait} to
 * the first successful ssh command, against {@code docker run} of the same image to the first
 * successful ssh command, in the same run, on dockerd and on Podman's Docker-compatible service
 * (each started in its own network namespace by {@link ContainerEngineInNetns}, the reference
 * workspace rootfs imported untimed, nothing pulled).
 *
 * <p>Hangar: the real server ({@link TestControlPlane} with the docker provider and the SSH
 * gateway), the real CLI in-process ({@code hangar create NAME --template T --wait}, polling at the
 * CLI's default interval unless {@code poll=MS} says otherwise), then the real OpenSSH client
 * through the gateway with the config {@code hangar config-ssh} writes, retried every 100 ms until
 * {@code true} runs. Baseline: the {@code docker} CLI on the same socket, {@code docker run -d} of
 * the same image with the same entrypoint, user, environment, read-only key directory, a home folder
 * owned by the image user (made untimed; Hangar's figure includes the root container that chowns its
 * home volume) and port published on the namespace's address, then {@code docker port} and the same ssh retry
 * loop straight to the published port with the host key pinned. Deletion is untimed. Median and
 * each round are printed with the load average; asserts nothing.
 *
 * <p>Arguments (all optional): {@code rounds=3 engines=docker,podman poll=1000}.
 */
public final class ContainerStartBench {
    private static final String USER = "bench";
    private static final String IMAGE = "localhost/hangar/workspace:bench";

    private ContainerStartBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = ClosedLoopLoad.arg(args, "rounds", 3);
        int poll = ClosedLoopLoad.arg(args, "poll", (int) CliContext.DEFAULT_POLL_INTERVAL.toMillis());
        String engines = Arrays.stream(args)
                .filter(a -> a.startsWith("engines="))
                .map(a -> a.substring("engines=".length()))
                .findFirst()
                .orElse("docker,podman");
        for (String e : engines.split(",")) {
            ContainerEngineInNetns.Engine kind =
                    ContainerEngineInNetns.Engine.valueOf(e.strip().toUpperCase(Locale.ROOT));
            Path tmp = Files.createTempDirectory("hcb");
            try {
                run(kind, tmp, rounds, Duration.ofMillis(poll));
            } finally {
                HostCommands.run(List.of("rm", "-rf", tmp.toString()));
            }
        }
    }

    private static void run(ContainerEngineInNetns.Engine kind, Path tmp, int rounds, Duration poll) throws Exception {
        try (ContainerEngineInNetns engine = ContainerEngineInNetns.start(kind, Path.of("/tmp/hgc"))) {
            DockerIts.importWorkspaceImage(engine, tmp, IMAGE);
            Path clientKey = DockerIts.clientKey(tmp);
            try (TestControlPlane cp = DockerIts.controlPlane(tmp, engine, IMAGE)) {
                String token = DockerIts.memberWithKey(cp, USER, clientKey);
                CliHarness cli = new CliHarness(tmp.resolve("cli"))
                        .env("HANGAR_URL", cp.baseUri().toString())
                        .env("HANGAR_TOKEN", token)
                        .pollInterval(poll);
                Path keyDir = plainKeyDirectory(tmp, clientKey);
                double[] hangar = new double[rounds];
                double[] plain = new double[rounds];
                // one untimed round of each first: the engine's first container pays for setup
                hangarRound(cp, cli, token, tmp, clientKey, "warm");
                plainRound(engine, keyDir, clientKey, "warm");
                for (int i = 0; i < rounds; i++) {
                    hangar[i] = hangarRound(cp, cli, token, tmp, clientKey, "r" + i);
                    plain[i] = plainRound(engine, keyDir, clientKey, "r" + i);
                    System.out.printf(
                            Locale.ROOT,
                            "%s round %d: hangar create --wait -> ssh %.2f s, docker run -> ssh %.2f s (load %.2f)%n",
                            kind,
                            i + 1,
                            hangar[i],
                            plain[i],
                            load());
                }
                double h = median(hangar);
                double p = median(plain);
                System.out.printf(
                        Locale.ROOT,
                        "%s median of %d: hangar %.2f s, docker run %.2f s, ratio %.2f (CLI poll %d ms)%n",
                        kind,
                        rounds,
                        h,
                        p,
                        h / p,
                        poll.toMillis());
            }
        }
    }

    /** @return seconds from {@code hangar create --wait} to the first ssh command through the gateway */
    private static double hangarRound(
            TestControlPlane cp, CliHarness cli, String token, Path tmp, Path clientKey, String round)
            throws Exception {
        String name = "bench-" + round;
        long t0 = System.nanoTime();
        CliHarness.Result created = cli.run("create", name, "--template", DockerIts.TEMPLATE, "--wait");
        if (created.code() != 0) throw new IllegalStateException("hangar create: " + created);
        var ws = dev.hangar.testing.TestHttp.json(cp.http().get("/api/v1/workspaces/" + name, token));
        Path dir = Files.createDirectory(tmp.resolve("ssh-" + round));
        Path config = DockerIts.sshConfig(dir, cp, USER, ws, name, clientKey);
        untilSsh(List.of("ssh", "-F", config.toString(), name + ".hangar"));
        double s = (System.nanoTime() - t0) / 1e9;
        CliHarness.Result deleted = cli.run("delete", name, "--yes", "--wait");
        if (deleted.code() != 0) throw new IllegalStateException("hangar delete: " + deleted);
        return s;
    }

    /** @return seconds from {@code docker run -d} to the first ssh command on the published port */
    private static double plainRound(ContainerEngineInNetns engine, Path keyDir, Path clientKey, String round)
            throws Exception {
        String host = "-H=" + engine.socketUri();
        String name = "plain-" + round;
        // the home: a host folder owned by the image user, made untimed (on a fresh named volume the
        // uid-1000 entrypoint cannot create HOME; the provider chowns its volume in a root container,
        // which is part of Hangar's figure)
        Path home = Files.createDirectory(keyDir.resolveSibling("plain-home-" + round));
        HostCommands.run(List.of("chown", "1000:1000", home.toString())).orThrow("chown");
        long t0 = System.nanoTime();
        HostCommands.run(List.of(
                        "docker",
                        host,
                        "run",
                        "-d",
                        "--name",
                        name,
                        "--user",
                        "1000:1000",
                        "--entrypoint",
                        "/opt/hangar/entrypoint.sh",
                        "-e",
                        "HANGAR_USER=" + USER,
                        "-e",
                        "HOME=/storage/home/" + USER,
                        "-e",
                        "HANGAR_SSH_DIR=/etc/hangar/ssh",
                        "-e",
                        "HANGAR_STORAGE=/storage",
                        "-e",
                        "LANG=C.UTF-8",
                        "-v",
                        keyDir + ":/etc/hangar/ssh:ro",
                        "-v",
                        home + ":/storage",
                        "-p",
                        engine.publishAddress() + "::2222",
                        IMAGE))
                .orThrow("docker run");
        String port = HostCommands.run(List.of("docker", host, "port", name, "2222/tcp"))
                .orThrow("docker port")
                .output()
                .strip()
                .lines()
                .findFirst()
                .orElseThrow();
        String p = port.substring(port.lastIndexOf(':') + 1);
        untilSsh(
                host,
                name,
                List.of(
                        "ssh",
                        "-F",
                        "/dev/null",
                        "-i",
                        clientKey.toString(),
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        "UserKnownHostsFile=" + keyDir.resolveSibling("plain_known_hosts"),
                        "-o",
                        "StrictHostKeyChecking=yes",
                        "-o",
                        "HostKeyAlias=plain",
                        "-p",
                        p,
                        USER + "@" + engine.publishAddress()));
        double s = (System.nanoTime() - t0) / 1e9;
        HostCommands.run(List.of("docker", host, "rm", "-f", "-v", name)).orThrow("docker rm");
        return s;
    }

    /** Runs {@code ssh ... true} every 100 ms until it exits 0 (at most 120 s). */
    private static void untilSsh(List<String> ssh) throws IOException, InterruptedException {
        untilSsh("", "", ssh);
    }

    /** As {@link #untilSsh(List)}; on a timeout the container's state and log are in the message. */
    private static void untilSsh(String host, String container, List<String> ssh)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(ssh.subList(0, ssh.size() - 1));
        cmd.addAll(List.of("-o", "BatchMode=yes", "-o", "ConnectTimeout=10", ssh.getLast(), "true"));
        try {
            await("ssh " + ssh.getLast())
                    .atMost(Duration.ofSeconds(120))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> HostCommands.run(cmd).exitCode() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            if (container.isEmpty()) throw e;
            throw new IllegalStateException(
                    "no ssh to " + container + ": " + HostCommands.run(cmd).output()
                            + "; state "
                            + HostCommands.run(List.of("docker", host, "inspect", "-f", "{{json .State}}", container))
                                    .output()
                            + "; log "
                            + HostCommands.run(List.of("docker", host, "logs", container))
                                    .output(),
                    e);
        }
    }

    /**
     * The key directory the baseline container mounts (what the provider mounts: authorized_keys
     * and an ed25519 host key, owned by the image user) and a known_hosts pinning that host key.
     */
    private static Path plainKeyDirectory(Path tmp, Path clientKey) throws IOException, InterruptedException {
        Path dir = Files.createDirectory(
                tmp.resolve("plain-keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.copy(Path.of(clientKey + ".pub"), dir.resolve("authorized_keys"));
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        HostCommands.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()))
                .orThrow("ssh-keygen");
        Files.writeString(tmp.resolve("plain_known_hosts"), "plain " + Files.readString(Path.of(hostKey + ".pub")));
        HostCommands.run(List.of("chown", "-R", "1000:1000", dir.toString())).orThrow("chown");
        return dir;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
