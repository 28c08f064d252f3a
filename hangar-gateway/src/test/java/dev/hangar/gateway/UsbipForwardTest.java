package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's USB/IP forward (ADR 0019) with the real OpenSSH client, as {@code hangar usb attach}
 * uses it: {@code ssh -N -R <ws>.usbip:3240:<usbipd> hangar-gateway}. A guest connection is a
 * connection to the VM's unix socket (what slirp's socat makes); the PC's usbipd is an echo server.
 * Other remote forwards stay refused ({@link SshGatewayTest#remoteForwardingOnTheGatewayItselfIsRefused}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsbipForwardTest {
    private static final Duration T = Duration.ofSeconds(60);

    private final String me = System.getProperty("user.name");

    @TempDir
    static Path tmp;

    private final MapDirectory directory = new MapDirectory();
    private final RecordingAudit audit = new RecordingAudit();
    private SshGateway gateway;
    private Path meConfig;
    private Path bobConfig;
    private ServerSocket usbipd;
    private Path devSocket;

    @BeforeAll
    void start() throws IOException {
        KeyPairFiles meKey = KeyPairFiles.generate(tmp, "me");
        KeyPairFiles bobKey = KeyPairFiles.generate(tmp, "bob");
        // A socket path at the edge: Linux takes 107 bytes and the NUL (sun_path, unix(7)) and the qemu
        // provider allows that; the JDK's client this test connects with takes 106. Binding under a
        // longer temporary name (such as the socket's name plus ".new") fails here.
        int pad = 106 - tmp.resolve("usbip.sock").toString().length() - 1;
        Path vm = Files.createDirectories(tmp.resolve("v".repeat(pad)));
        Files.setPosixFilePermissions(vm, PosixFilePermissions.fromString("rwx------"));
        devSocket = vm.resolve("usbip.sock");
        assertThat(devSocket.toString()).hasSize(106);
        directory
                .key(me, meKey.publicLine())
                .key("bob", bobKey.publicLine())
                .workspace("dev", new WorkspaceTarget.Reachable("id-dev", me, "127.0.0.1", 22))
                .usbipSocket("id-dev", devSocket)
                .workspace("pod", new WorkspaceTarget.Reachable("id-pod", me, "127.0.0.1", 22))
                .workspace("idle", new WorkspaceTarget.Unreachable("id-idle", me, "Stopped"));
        gateway = LoopbackGateway.start(tmp.resolve("gateway-state"), directory, audit);
        meConfig = LoopbackGateway.userConfig(gateway, tmp.resolve("home-me"), me, meKey.privateKey(), List.of());
        bobConfig = LoopbackGateway.userConfig(gateway, tmp.resolve("home-bob"), "bob", bobKey.privateKey(), List.of());
        usbipd = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::serveEcho);
    }

    @AfterAll
    void stop() throws IOException {
        if (gateway != null) gateway.close();
        if (usbipd != null) usbipd.close();
    }

    private List<String> forward(Path config, String bind) {
        return LoopbackGateway.usbipForward(config, bind, usbipd.getLocalPort());
    }

    private Process startForward(Path config, String bind) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(forward(config, bind))
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("ssh-" + System.nanoTime() + ".log").toFile());
        pb.environment().remove("SSH_AUTH_SOCK");
        return pb.start();
    }

    private static String throughGuestSocket(Path socket, String text) throws IOException {
        try (SocketChannel guest = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            guest.connect(UnixDomainSocketAddress.of(socket));
            byte[] sent = text.getBytes(StandardCharsets.UTF_8);
            guest.write(ByteBuffer.wrap(sent));
            guest.shutdownOutput(); // EOF travels to the PC's usbipd, which then closes
            ByteBuffer back = ByteBuffer.allocate(sent.length + 64);
            while (guest.read(back) >= 0) {
                // until the PC side closed
            }
            return new String(back.array(), 0, back.position(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A guest connection as the fd-passing guest forward brings it: a TCP connection (the test's end
     * stands for the guest behind slirp) whose other end a python3 process hands to the gateway over
     * the socket with {@code SCM_RIGHTS} and exits before any data moves, so no relay process is
     * left. A stand-in for slirp's spawn of {@code UsbipGuestForward.PASS_SOCKET} (in the QEMU
     * provider; UsbipEndToEndIT runs that one with real VMs).
     */
    private static String throughPassedSocket(Path socket, String text) throws Exception {
        try (ServerSocket slirp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process pass = new ProcessBuilder(
                            "python3",
                            "-I",
                            "-S",
                            "-c",
                            "import socket,sys;s=socket.create_connection(('127.0.0.1',int(sys.argv[2])));"
                                    + "u=socket.socket(socket.AF_UNIX);u.connect(sys.argv[1]);"
                                    + "socket.send_fds(u,[b'F'],[s.fileno()])",
                            socket.toString(),
                            Integer.toString(slirp.getLocalPort()))
                    .redirectErrorStream(true)
                    .start();
            try (Socket guest = slirp.accept()) {
                assertThat(pass.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(pass.exitValue())
                        .as(new String(pass.getInputStream().readAllBytes()))
                        .isZero();
                byte[] sent = text.getBytes(StandardCharsets.UTF_8);
                guest.getOutputStream().write(sent);
                guest.shutdownOutput(); // EOF travels to the PC's usbipd, which then closes
                return new String(guest.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void aGuestConnectionReachesThePcsUsbipdThroughTheOwnersSessionAndEndsWithIt() throws Exception {
        // a killed server's stale socket file is replaced
        Files.deleteIfExists(devSocket);
        Files.writeString(devSocket, "stale");
        Process ssh = startForward(meConfig, "dev.usbip:3240");
        try {
            await().atMost(T).until(() -> !Files.isRegularFile(devSocket) && Files.exists(devSocket));
            assertThat(Files.getPosixFilePermissions(devSocket))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String big = "usbip ".repeat(50_000); // more than one window packet each way
            assertThat(throughGuestSocket(devSocket, "OP_REQ_IMPORT")).isEqualTo("OP_REQ_IMPORT");
            assertThat(throughGuestSocket(devSocket, big)).isEqualTo(big);
            // the same through a passed descriptor (the python3 guest forward), its sender gone
            assertThat(throughPassedSocket(devSocket, "OP_REQ_DEVLIST")).isEqualTo("OP_REQ_DEVLIST");
            assertThat(throughPassedSocket(devSocket, big)).isEqualTo(big);
            await().atMost(T)
                    .until(() -> audit.opened.stream()
                            .anyMatch(r -> r.target().equals("dev.usbip:3240")
                                    && r.workspaceId().equals("id-dev")));

            // one forward per workspace: a second session is refused and audited
            Proc.Result second = Proc.run(T, forward(meConfig, "dev.usbip:3240"));
            assertThat(second.exit()).isEqualTo(255);
            assertThat(second.stderr()).contains("remote port forwarding failed");
            awaitDenied("dev.usbip:3240", Denial.USBIP_IN_USE);
            assertThat(throughGuestSocket(devSocket, "still the first")).isEqualTo("still the first");
        } finally {
            ssh.destroy();
            ssh.waitFor(10, TimeUnit.SECONDS);
        }
        // the session ended: no listener, no socket file; a guest connection now fails at once
        await().atMost(T).until(() -> !Files.exists(devSocket));
        assertThatThrownBy(() -> throughGuestSocket(devSocket, "x")).isInstanceOf(IOException.class);
        await().atMost(T)
                .until(() -> audit.connections.stream()
                        .anyMatch(r -> r.target().equals("dev.usbip:3240")
                                && r.outcome() instanceof Outcome.Relayed
                                && r.bytesToWorkspace() > 600_000));
    }

    @Test
    void aGuestThatReadsNothingStopsOnlyItsOwnConnection() throws Exception {
        Process ssh = startForward(meConfig, "dev.usbip:3240");
        try {
            await().atMost(T).until(() -> !Files.isRegularFile(devSocket) && Files.exists(devSocket));
            // Far more than every buffer on the way holds (socket buffers, both SSH windows), so the
            // PC's echo backs up to the gateway's write into the guest's full socket.
            byte[] flood = new byte[48 << 20];
            for (int i = 0; i < flood.length; i++) flood[i] = (byte) (i % 251);
            try (SocketChannel stalled = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                stalled.connect(UnixDomainSocketAddress.of(devSocket));
                AtomicLong sent = new AtomicLong();
                Thread writer = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (int off = 0; off < flood.length; off += 64 << 10) {
                            ByteBuffer chunk = ByteBuffer.wrap(flood, off, 64 << 10);
                            while (chunk.hasRemaining()) sent.addAndGet(stalled.write(chunk));
                        }
                        stalled.shutdownOutput();
                    } catch (IOException e) {
                        sent.set(-1);
                    }
                });
                // The guest writes until everything is full, reading nothing: wait until it is stuck.
                long[] last = {-2};
                await().atMost(T).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    long now = sent.get();
                    boolean stuck = now == last[0] && now > 0;
                    last[0] = now;
                    return stuck;
                });
                assertThat(sent.get()).isLessThan(flood.length);

                // Another guest connection of the same session goes through at once. Before, the
                // gateway's I/O thread blocked writing into the stalled guest, and with it the
                // session's every channel (and one of the few threads all sessions share).
                assertThat(CompletableFuture.supplyAsync(() -> {
                                    try {
                                        return throughGuestSocket(devSocket, "OP_REQ_DEVLIST");
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                })
                                .get(30, TimeUnit.SECONDS))
                        .isEqualTo("OP_REQ_DEVLIST");

                // The stalled guest reads now and gets every byte, in order, then EOF.
                ByteBuffer back = ByteBuffer.allocate(flood.length + 1);
                while (stalled.read(back) >= 0) {
                    assertThat(back.hasRemaining()).isTrue();
                }
                writer.join(T.toMillis());
                assertThat(sent.get()).isEqualTo(flood.length);
                assertThat(back.position()).isEqualTo(flood.length);
                assertThat(Arrays.equals(back.array(), 0, flood.length, flood, 0, flood.length))
                        .as("the bytes came back in order")
                        .isTrue();
            }
        } finally {
            ssh.destroy();
            ssh.waitFor(10, TimeUnit.SECONDS);
        }
        await().atMost(T).until(() -> !Files.exists(devSocket));
    }

    @Test
    void forwardsForWorkspacesTheUserMayNotUseOrWithoutAGuestForwardAreRefused() {
        for (String[] c : new String[][] {
            {"pod.usbip:3240", "USBIP_UNAVAILABLE"},
            {"idle.usbip:3240", "NOT_RUNNING"},
            {"nope.usbip:3240", "UNKNOWN_WORKSPACE"},
            {"dev.usbip:3241", "INVALID_TARGET"},
        }) {
            Proc.Result r = Proc.run(T, forward(meConfig, c[0]));
            assertThat(r.exit()).as(c[0]).isEqualTo(255);
            assertThat(r.stderr()).as(c[0]).contains("remote port forwarding failed");
            awaitDenied(c[0], Denial.valueOf(c[1]));
        }
        Proc.Result bob = Proc.run(T, forward(bobConfig, "dev." + me + ".usbip:3240"));
        assertThat(bob.exit()).isEqualTo(255);
        awaitDenied("dev." + me + ".usbip:3240", Denial.NOT_OWNER);
        assertThat(Files.exists(devSocket)).isFalse();
    }

    private void awaitDenied(String target, Denial reason) {
        await().atMost(T)
                .until(() -> audit.connections.stream()
                        .anyMatch(r -> r.target().equals(target)
                                && r.outcome() instanceof Outcome.Denied d
                                && d.reason() == reason));
    }

    private void serveEcho() {
        while (!usbipd.isClosed()) {
            try {
                Socket s = usbipd.accept();
                Thread.ofVirtual().start(() -> {
                    try (s;
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // the guest side went away
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }
}
