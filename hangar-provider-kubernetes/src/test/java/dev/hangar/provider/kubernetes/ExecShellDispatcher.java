package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The CRUD mock plus the API server's {@code pods/<pod>/exec} WebSocket (protocol {@code
 * v4.channel.k8s.io}: each binary message starts with its channel, 0 stdin, 1 stdout, 4 resize),
 * behind which a stand-in for a TTY echoes: every stdin byte comes back on stdout, as a terminal in
 * echo mode would send it. What the client sent is recorded: the upgrade's path (command, container,
 * tty), and each resize message's JSON ({@code {"Width":C,"Height":R}}). Thread-safe.
 */
final class ExecShellDispatcher extends KubernetesCrudDispatcher {
    /** Paths (with query) of the exec upgrades received. */
    final BlockingQueue<String> execs = new LinkedBlockingQueue<>();
    /** The resize channel's messages received, as text. */
    final BlockingQueue<String> resizes = new LinkedBlockingQueue<>();
    /** Bytes received on stdin, as UTF-8 text, one entry per message. */
    final BlockingQueue<String> stdin = new LinkedBlockingQueue<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (!request.getPath().contains("/exec?")) {
            return super.dispatch(request);
        }
        execs.add(request.getPath());
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            /** The socket as opened: the one to send on. */
            private volatile WebSocket open;

            @Override
            public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
                open = ws;
            }

            @Override
            public void onMessage(WebSocket ws, byte[] bytes) {
                if (bytes.length == 0) return;
                byte[] payload = Arrays.copyOfRange(bytes, 1, bytes.length);
                switch (bytes[0]) {
                    case 0 -> {
                        stdin.add(new String(payload, StandardCharsets.UTF_8));
                        byte[] out = new byte[bytes.length];
                        out[0] = 1;
                        System.arraycopy(payload, 0, out, 1, payload.length);
                        // From another thread, as a container's output arrives: not inside the mock's callback.
                        Thread.ofVirtual().start(() -> open.send(out));
                    }
                    case 4 -> resizes.add(new String(payload, StandardCharsets.UTF_8));
                    default -> {
                        // no other channel is sent by a client
                    }
                }
            }

            @Override
            public void onMessage(WebSocket ws, String text) {
                onMessage(ws, text.getBytes(StandardCharsets.UTF_8));
            }
        });
    }
}
