package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * The pod's end of {@code pods/<pod>/portforward?ports=2222} on fabric8's mock server in CRUD mode
 * (every other request goes to the CRUD dispatcher), for {@link MockCluster}: answers the WebSocket
 * upgrade as the API server does ({@code v4.channel.k8s.io}: the port, little-endian, first on the
 * data channel 0 and on the error channel 1), then hands the open stream to {@link #opened} and each
 * message from the client to {@link #received}. The stream stays open until the client closes it.
 *
 * <p>Not the mock's {@code expect().andUpgradeToWebSocket()}: that closes the stream right after its
 * last scripted message, and fabric8's listener may then close the local socket before it has written
 * what came (5 in 40 runs of {@link PortForwardRelayTest} failed that way).
 */
abstract class PodPortForwardEnd extends KubernetesCrudDispatcher {
    private static final String PATH_END = "/portforward?ports=" + WorkspaceManifests.SSH_PORT;

    @Override
    public final MockResponse dispatch(RecordedRequest request) {
        if (!request.getPath().endsWith(PATH_END)) {
            return super.dispatch(request);
        }
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                ws.send(new byte[] {0, (byte) 0xAE, 0x08});
                ws.send(new byte[] {1, (byte) 0xAE, 0x08});
                opened(ws);
            }

            @Override
            public void onMessage(WebSocket ws, byte[] bytes) {
                received(bytes);
            }
        });
    }

    /** Called on the mock's event loop once the port is announced; sends nothing by default. */
    void opened(WebSocket ws) {}

    /** Called on the mock's event loop for each binary message (channel byte first); ignores it by default. */
    void received(byte[] message) {}

    /** @return {@code bytes[from, from + length)} as one data message: channel 0, then the bytes */
    static byte[] data(byte[] bytes, int from, int length) {
        byte[] message = new byte[1 + length];
        System.arraycopy(bytes, from, message, 1, length);
        return message;
    }
}
