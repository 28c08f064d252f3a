package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway takes from a connection to a VM's USB/IP socket (ADR 0019's amendment), with real
 * sockets and a real python3 passing descriptors with {@code SCM_RIGHTS}: slirp's TCP socket is
 * taken; a peer of another uid, a pipe or a UDP socket is refused, and the refused descriptor is
 * closed (seen from its other end). A peer of another uid is the test's own process with {@code
 * allowedUid} set to another uid: making a real one needs root.
 */
class GuestHandoffTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final int ME = UnixSockets.effectiveUid();
    /** Connects to argv[1] and passes descriptor {@code fd} (made by the setup code before it), then exits. */
    private static final String PASS =
            ";u=socket.socket(socket.AF_UNIX);u.connect(sys.argv[1]);" + "socket.send_fds(u,[b'F'],[fd])";

    @TempDir
    Path tmp;

    private Path socket;
    private int listener = -1;

    @BeforeEach
    void listen() throws IOException {
        socket = tmp.resolve("usbip.sock");
        listener = UnixSockets.listen(socket);
    }

    @AfterEach
    void close() {
        if (listener >= 0) UnixSockets.close(listener);
    }

    private Process python(String setup, String... args) throws IOException {
        var cmd = new java.util.ArrayList<>(java.util.List.of(
                "python3", "-I", "-S", "-c", "import os,socket,sys;" + setup + PASS, socket.toString()));
        cmd.addAll(java.util.List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private GuestHandoff.Result takeNext(int allowedUid) throws IOException {
        return GuestHandoff.take(UnixSockets.accept(listener), allowedUid);
    }

    @Test
    void aPassedTcpSocketIsTakenAndCarriesTheGuestsBytesBothWays() throws Exception {
        try (ServerSocket slirp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process p = python(
                    "c=socket.create_connection(('127.0.0.1',int(sys.argv[2])));fd=c.fileno()",
                    Integer.toString(slirp.getLocalPort()));
            try (Socket guestEnd = slirp.accept()) {
                guestEnd.setSoTimeout((int) T.toMillis());
                GuestHandoff.Result r = takeNext(ME);
                assertThat(r).isInstanceOf(GuestHandoff.Result.Taken.class);
                GuestSocket guest = ((GuestHandoff.Result.Taken) r).guest();
                assertThat(((GuestHandoff.Result.Taken) r).first()).isEmpty();
                assertThat(p.waitFor(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).isZero();
                // the sender is gone: the gateway's descriptor alone carries the connection now
                byte[] hello = "OP_REQ_IMPORT".getBytes(StandardCharsets.UTF_8);
                guest.write(hello, 0, hello.length);
                assertThat(guestEnd.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
                guestEnd.getOutputStream().write("OP_REP".getBytes(StandardCharsets.UTF_8));
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment buf = a.allocate(64);
                    int n = guest.read(buf);
                    assertThat(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                            .isEqualTo("OP_REP");
                }
                guest.close();
                guest.release();
                assertThat(guestEnd.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void aPeerOfAnotherUidIsRefusedAndWhatItPassedIsClosed() throws Exception {
        try (ServerSocket slirp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process p = python(
                    "c=socket.create_connection(('127.0.0.1',int(sys.argv[2])));fd=c.fileno()",
                    Integer.toString(slirp.getLocalPort()));
            try (Socket guestEnd = slirp.accept()) {
                guestEnd.setSoTimeout((int) T.toMillis());
                GuestHandoff.Result r = takeNext(ME + 1);
                assertThat(r)
                        .isInstanceOfSatisfying(
                                GuestHandoff.Result.Refused.class,
                                x -> assertThat(x.reason())
                                        .contains("uid " + ME + " (only uid " + (ME + 1) + " is served)"));
                assertThat(p.waitFor(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
                // the descriptor in flight was never taken: closing the connection dropped it
                assertThat(guestEnd.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void aPassedPipeIsRefusedAndClosed() throws Exception {
        Process p = python("fd=0"); // its stdin: the read end of a pipe from this JVM
        GuestHandoff.Result r = takeNext(ME);
        assertThat(r)
                .isInstanceOfSatisfying(
                        GuestHandoff.Result.Refused.class,
                        x -> assertThat(x.reason()).contains("not a TCP stream socket"));
        assertThat(p.waitFor(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // no read end is left anywhere: writing into the pipe fails (EPIPE)
        OutputStream toPipe = p.getOutputStream();
        assertThatThrownBy(() -> {
                    toPipe.write(new byte[1]);
                    toPipe.flush();
                })
                .isInstanceOf(IOException.class);
    }

    @Test
    void aPassedUdpSocketIsRefusedAndClosed() throws Exception {
        Process p = python("d=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);d.bind(('127.0.0.1',0));"
                + "print(d.getsockname()[1],flush=True);fd=d.fileno()");
        int port;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            port = Integer.parseInt(out.readLine().strip());
        }
        GuestHandoff.Result r = takeNext(ME);
        assertThat(r)
                .isInstanceOfSatisfying(
                        GuestHandoff.Result.Refused.class,
                        x -> assertThat(x.reason()).contains("not a TCP stream socket"));
        assertThat(p.waitFor(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // its port is free again once the last descriptor of it is closed
        await().atMost(T).untilAsserted(() -> {
            try (DatagramSocket again =
                    new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
        });
    }

    @Test
    void aConnectionWithoutADescriptorIsTheGuestsStreamWithItsFirstBytes() throws Exception {
        try (SocketChannel socat = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            socat.connect(UnixDomainSocketAddress.of(socket));
            socat.write(ByteBuffer.wrap("OP_REQ_DEVLIST".getBytes(StandardCharsets.UTF_8)));
            GuestHandoff.Result r = takeNext(ME);
            assertThat(r).isInstanceOfSatisfying(GuestHandoff.Result.Taken.class, t -> {
                assertThat(new String(t.first(), StandardCharsets.UTF_8)).isEqualTo("OP_REQ_DEVLIST");
                t.guest().close();
                t.guest().release();
            });
        }
    }
}
