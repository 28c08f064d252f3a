package dev.hangar.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal client of the QEMU Machine Protocol (QMP, docs/interop/qmp-spec in QEMU): JSON objects,
 * one per line, over the VM's unix socket. Not thread-safe; one instance per conversation.
 *
 * <p>Every read has a deadline: a VM that stops answering closes the socket after {@code timeout}
 * and the call fails with an {@link IOException}.
 */
final class QmpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "qmp-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final Duration timeout;
    /** From the start of {@link #connect} to the greeting read. */
    private Duration greetingTook = Duration.ZERO;
    /** Events that arrived while a command waited for its answer, oldest first, for {@link #awaitEvent}. */
    private final java.util.ArrayDeque<Named> events = new java.util.ArrayDeque<>();

    private QmpClient(SocketChannel channel, Duration timeout) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
        this.timeout = timeout;
    }

    /**
     * Connects, reads the greeting and leaves capabilities negotiation mode ({@code
     * qmp_capabilities}), so commands can be sent.
     *
     * @throws IOException if the socket is missing, refuses or QEMU does not answer in time
     */
    static QmpClient connect(Path socket, Duration timeout) throws IOException {
        long t0 = System.nanoTime();
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            QmpClient client = new QmpClient(channel, timeout);
            JsonNode greeting = client.readMessage();
            client.greetingTook = Duration.ofNanos(System.nanoTime() - t0);
            if (!greeting.has("QMP")) throw new IOException("not a QMP greeting: " + greeting);
            client.execute("qmp_capabilities");
            return client;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** @return how long {@link #connect} took from its start to QEMU's greeting (socket connect included) */
    Duration greetingTook() {
        return greetingTook;
    }

    /**
     * Runs a command without arguments and returns its {@code return} value, skipping asynchronous
     * events that arrive in between.
     *
     * @throws IOException if QEMU answers with an {@code error} or the connection fails
     */
    JsonNode execute(String command) throws IOException {
        return send(command, java.util.Map.of("execute", command));
    }

    /**
     * Runs a command with {@code arguments} (its QMP {@code arguments} object, e.g. {@code migrate}'s
     * {@code uri}) and returns its {@code return} value, skipping asynchronous events in between.
     *
     * @throws IOException if QEMU answers with an {@code error} or the connection fails
     */
    JsonNode execute(String command, java.util.Map<String, ?> arguments) throws IOException {
        return send(command, java.util.Map.of("execute", command, "arguments", arguments));
    }

    private JsonNode send(String command, java.util.Map<String, ?> request) throws IOException {
        // One write: QEMU acts on a complete JSON object at once, and after "quit" it may have closed
        // the socket before a separately written newline arrives.
        out.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            JsonNode message;
            try {
                message = readMessage();
            } catch (IOException e) {
                // "quit" may close the connection before its answer; the caller checks the process.
                if (command.equals("quit")) return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
                throw e;
            }
            if (message.has("return")) return message.get("return");
            if (message.has("error")) {
                throw new IOException("QMP " + command + " failed: "
                        + message.get("error").path("desc").asText());
            }
            // {"event": ...}: asynchronous notifications such as POWERDOWN; not our answer, kept for awaitEvent.
            if (message.has("event")) events.add(event(message));
        }
    }

    /**
     * An asynchronous QMP event.
     *
     * @param data the event's {@code data} object (a missing node when it has none)
     * @param sent when QEMU emitted it, from the event's {@code timestamp} (QEMU's reading of the
     *     host's wall clock, microseconds); compared with the time it was read it tells a QEMU that
     *     was late from a reader that was
     * @param read when this client read it (the host's wall clock)
     */
    record Event(JsonNode data, Instant sent, Instant read) {
        /** @return how long the event waited between QEMU sending it and this client reading it (may be negative by clock jitter) */
        Duration delivery() {
            return Duration.between(sent, read);
        }
    }

    /**
     * Waits for an asynchronous event (e.g. {@code MIGRATION}, which QEMU sends once the {@code
     * events} migration capability is on) whose {@code data} satisfies {@code matches}; events that
     * arrived during earlier commands count too. Events that do not match are dropped.
     *
     * @param name the event's name, e.g. {@code MIGRATION}
     * @param matches a test of the event's {@code data} object
     * @param within how long to wait in total
     * @return the event, with QEMU's timestamp and the time it was read
     * @throws IOException when the connection closes (e.g. QEMU exited) or {@code within} passes
     *     (which closes the connection)
     */
    Event awaitEvent(String name, java.util.function.Predicate<JsonNode> matches, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Named event = events.poll();
            if (event == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IOException("no QMP event " + name + " within " + within.toMillis() + " ms");
                // the connection closes when this read times out: the conversation is over then
                JsonNode message = readMessage(Duration.ofNanos(left));
                if (!message.has("event")) continue; // a late answer to an abandoned command
                event = event(message);
            }
            if (event.name().equals(name) && matches.test(event.event().data())) return event.event();
        }
    }

    /** An event as queued: its name beside the {@link Event}. */
    private record Named(String name, Event event) {}

    private static Named event(JsonNode message) {
        Instant read = Instant.now();
        JsonNode ts = message.path("timestamp");
        Instant sent = ts.has("seconds")
                ? Instant.ofEpochSecond(
                        ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000)
                : read;
        return new Named(message.path("event").asText(), new Event(message.path("data"), sent, read));
    }

    private JsonNode readMessage() throws IOException {
        return readMessage(timeout);
    }

    private JsonNode readMessage(Duration timeout) throws IOException {
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(
                () -> {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // closing is the timeout signal; nothing else to do
                    }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            String line = in.readLine();
            if (line == null) throw new IOException("QMP connection closed");
            return JSON.readTree(line);
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("QMP did not answer within " + timeout.toMillis() + " ms", e);
        } finally {
            watchdog.cancel(false);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
