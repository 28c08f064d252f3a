package dev.hangar.usbip;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A tiny TCP server on 127.0.0.1 (ephemeral port) that stands in for a usbipd with devices: the host
 * kernel here has no usbip support and cannot export a real device, so a real usbipd can only ever
 * answer "no devices" (that case is covered against the real daemon in {@link RealUsbipdTest}). Per
 * connection it reads the 8-byte request, records it, writes the canned reply bytes (hand-assembled
 * from the spec) and then either closes, as usbipd does, or holds the connection open to provoke
 * timeouts.
 */
final class ReplayServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<byte[]> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Thread acceptor;

    private ReplayServer(byte[] reply, boolean holdOpen) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s, reply, holdOpen));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    /** Replies with {@code reply} and closes. */
    static ReplayServer replying(byte[] reply) throws IOException {
        return new ReplayServer(reply, false);
    }

    /** Replies with {@code reply} (possibly empty) and then keeps the connection open until closed. */
    static ReplayServer replyingThenStalling(byte[] reply) throws IOException {
        return new ReplayServer(reply, true);
    }

    int port() {
        return server.getLocalPort();
    }

    List<byte[]> requests() {
        return requests;
    }

    private void serve(Socket s, byte[] reply, boolean holdOpen) {
        try (s) {
            InputStream in = s.getInputStream();
            requests.add(in.readNBytes(UsbipProtocol.HEADER_LENGTH));
            s.getOutputStream().write(reply);
            s.getOutputStream().flush();
            if (holdOpen) {
                held.add(s);
                release.await();
            }
        } catch (IOException | InterruptedException e) {
            // the client went away; nothing to report
        }
    }

    @Override
    public void close() throws IOException {
        release.countDown();
        server.close();
        for (Socket s : held) {
            s.close();
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
