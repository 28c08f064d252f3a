package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    @Test
    void aPortWhoseLastConnectionIsInTimeWaitIsFree() throws Exception {
        int port;
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = listener.getLocalPort();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket accepted = listener.accept()) {
                // The side that closes first keeps the connection in TIME_WAIT: here the listening
                // side, as when a stopped VM's sshd ended its sessions.
                accepted.close();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
        }

        assertThat(timeWaitOn(port))
                .as("a connection on port %d is in TIME_WAIT", port)
                .isTrue();
        assertThat(LoopbackPorts.isFree(port)).isTrue();
    }

    @Test
    void aPortWithAListenerIsTaken() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

            assertThat(LoopbackPorts.isFree(listener.getLocalPort())).isFalse();
        }
    }

    @Test
    void aPortBoundWithoutListeningIsTaken() throws Exception {
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

            assertThat(LoopbackPorts.isFree(bound.getLocalPort())).isFalse();
        }
    }

    /**
     * Reads /proc/net/tcp and tcp6 (the JDK's sockets are IPv6 ones, 127.0.0.1 mapped): state 06 is
     * TIME_WAIT; the local address column is ADDR:PORT in hex.
     */
    private static boolean timeWaitOn(int port) throws Exception {
        String hexPort = String.format(":%04X", port);
        List<String> lines = new ArrayList<>();
        for (String name : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(name);
            if (!Files.exists(file)) continue;
            List<String> table = Files.readAllLines(file);
            lines.addAll(table.subList(1, table.size())); // without the header
        }
        return lines.stream()
                .map(line -> line.trim().split("\\s+"))
                .anyMatch(f -> f[1].endsWith(hexPort) && f[3].equals("06"));
    }
}
