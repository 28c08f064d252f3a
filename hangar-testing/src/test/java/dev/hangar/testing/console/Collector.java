package dev.hangar.testing.console;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A WebSocket listener that keeps what it received (as ISO-8859-1 text) and how the socket closed. */
public final class Collector implements WebSocket.Listener {
    /** The close frame the server sent. */
    record Closed(int code, String reason) {}

    private final StringBuffer received = new StringBuffer();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();

    public String received() {
        return received.toString();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        received.append(new String(b, StandardCharsets.ISO_8859_1));
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        received.append(data);
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        closed.complete(new Closed(code, reason));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.completeExceptionally(error);
    }
}
