package dev.hangar.cli;

import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar console NAME}: attaches this terminal to the workspace's serial console through the
 * server's WebSocket ({@code /api/v1/workspaces/NAME/console}); {@code --log} prints the end of the
 * serial log instead.
 *
 * <p>On a terminal, the terminal is put into raw mode ({@code stty raw -echo}, restored on every
 * exit path) so keys, Ctrl-C included, go to the guest unchanged, and {@code Ctrl-]} (0x1d, as in
 * telnet and {@code virsh console}) detaches. When standard input is not a terminal, bytes are
 * piped both ways unchanged (no escape character), for scripts: at the end of input the command
 * waits until the console has been quiet for {@code --linger}, then detaches.
 *
 * <p>The guest's output is written to standard output decoded as UTF-8 (invalid bytes become
 * U+FFFD); notices go to standard error. Exit codes: 0 after a detach or when the server closed the
 * console (VM stopped), 5 (conflict) when another client is attached or the VM is not running (the
 * server's refusal, naming the phase and reason, is printed before anything says "Connected").
 * {@code --log} of a workspace that logged nothing says so on standard error.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "console",
        description = {
            "Attach to a workspace's serial console (Ctrl-] detaches), or print its log with --log.",
            "Useful when ssh does not work: watch the boot, or read it with --log.",
            "One client at a time. Without a terminal, stdin and stdout are piped",
            "unchanged, e.g. printf '\\r' | hangar console dev.",
            "",
            "The login prompt needs a password, and Hangar locks the login user's password",
            "(ssh takes keys only). To set one, create the workspace with --user-data FILE:",
            "  #cloud-config",
            "  chpasswd: {expire: false, users: [{name: USER, password: HASH, type: hash}]}",
            "USER is your Hangar user name (the workspace's login user), HASH the output of",
            "'openssl passwd -6'. sshd still refuses passwords: this one is for the console."
        })
final class ConsoleCommand implements Callable<Integer> {
    /** The detach key, Ctrl-] (ASCII GS), as in telnet and virsh console. */
    static final byte ESCAPE = 0x1d;

    private static final int CHUNK = 4096;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Option(names = "--log", description = "Print the end of the serial console log and exit (works while stopped).")
    boolean log;

    @Option(
            names = "--lines",
            paramLabel = "N",
            defaultValue = "100",
            description = "With --log: the last N lines (default: ${DEFAULT-VALUE}, at most 10000).")
    int lines;

    @Option(
            names = "--linger",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = Durations.Converter.class,
            description = "Without a terminal: after the end of input, detach once the console was quiet"
                    + " this long (default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Mixin
    OwnerOption owner;

    ConsoleCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (lines < 1 || lines > 10_000)
            throw new CliException(ExitCodes.USAGE, "--lines must be between 1 and 10000, got " + lines);
        try (HangarClient client = ServerConnection.open(ctx)) {
            if (log) {
                String text = client.consoleLog(name, owner.owner, lines);
                ctx.out().print(text);
                ctx.out().flush();
                if (text.isEmpty()) {
                    // Say so rather than print nothing: the VM has not written to its console (yet).
                    WorkspaceView w = client.workspace(name, owner.owner);
                    ctx.err()
                            .println("workspace " + name + " has no console log yet (phase " + w.phase()
                                    + (w.reason().isEmpty() ? "" : ": " + w.reason()) + ")");
                    ctx.err().flush();
                }
                return ExitCodes.OK;
            }
            return attach(client);
        }
    }

    /** How an attach ended. */
    private sealed interface End {
        /** The user pressed Ctrl-]. */
        record Detached() implements End {}

        /** Standard input ended and the console went quiet. */
        record InputEnded() implements End {}

        /** The server closed the WebSocket. */
        record Closed(int code, String reason) implements End {}

        /** The connection failed. */
        record Failed(Throwable error) implements End {}
    }

    private int attach(HangarClient client) {
        boolean tty = ctx.terminal().interactive();
        CompletableFuture<End> end = new CompletableFuture<>();
        Output output = new Output();
        Listener listener = new Listener(output, end);
        WebSocket ws = client.attachConsole(name, owner.owner, listener);
        ctx.err().println("Connected to " + name + "'s serial console" + (tty ? "; Ctrl-] to detach" : ""));
        ctx.err().flush();
        End how;
        try (RawTerminal raw = tty ? RawTerminal.enter() : null) {
            Thread input =
                    Thread.ofVirtual().name("console-stdin").start(() -> pumpInput(ctx.in(), ws, tty, output, end));
            how = end.join();
            input.interrupt();
            if (!(how instanceof End.Closed)) closeQuietly(ws, listener.closed);
        }
        if (tty) ctx.err().println();
        return switch (how) {
            case End.Detached d -> {
                ctx.err().println("Detached from " + name + "'s serial console.");
                yield ExitCodes.OK;
            }
            case End.InputEnded i -> ExitCodes.OK;
            case End.Closed c
            when c.code() == 1000 || c.code() == 1001 -> {
                ctx.err().println(c.reason().isEmpty() ? "The console was closed." : c.reason());
                yield ExitCodes.OK;
            }
            case End.Closed c
            when c.code() == 1013 || c.code() == 4409 -> throw new CliException(ExitCodes.CONFLICT, c.reason());
            case End.Closed c ->
                throw new CliException(
                        ExitCodes.ERROR, "the server closed the console (" + c.code() + "): " + c.reason());
            case End.Failed f ->
                throw new CliException(ExitCodes.UNREACHABLE, "the console connection failed: " + f.error());
        };
    }

    /**
     * Sends standard input to the guest until Ctrl-] (on a terminal), the end of input or the end
     * of the session. One send at a time, as {@link WebSocket} requires.
     */
    private void pumpInput(InputStream in, WebSocket ws, boolean tty, Output output, CompletableFuture<End> end) {
        byte[] buf = new byte[CHUNK];
        try {
            while (!end.isDone()) {
                int n = in.read(buf);
                if (n < 0) break;
                int escape = tty ? indexOf(buf, n, ESCAPE) : -1;
                int len = escape >= 0 ? escape : n;
                if (len > 0)
                    ws.sendBinary(ByteBuffer.wrap(Arrays.copyOf(buf, len)), true)
                            .join();
                if (escape >= 0) {
                    end.complete(new End.Detached());
                    return;
                }
            }
            // End of input: let the guest answer what was sent, then detach (like socat -t).
            long eofAt = System.nanoTime();
            while (!end.isDone()) {
                long quietSince = Math.max(eofAt, output.lastWriteNanos());
                long waitNanos = linger.toNanos() - (System.nanoTime() - quietSince);
                if (waitNanos <= 0) {
                    end.complete(new End.InputEnded());
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
        } catch (IOException | RuntimeException e) {
            end.complete(new End.Failed(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int indexOf(byte[] buf, int n, byte b) {
        for (int i = 0; i < n; i++) if (buf[i] == b) return i;
        return -1;
    }

    /** Sends a normal close and waits briefly for the server's; gives up the connection after that. */
    private static void closeQuietly(WebSocket ws, CompletableFuture<Void> closedByServer) {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "detached").get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            closedByServer.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // The connection is already gone; abort below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ws.abort();
    }

    /** The guest's output on standard output, decoded as UTF-8 across message boundaries. */
    private final class Output {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final CharBuffer chars = CharBuffer.allocate(CHUNK * 2);
        private ByteBuffer pending = ByteBuffer.allocate(0);
        private volatile long lastWriteNanos = System.nanoTime();

        synchronized void write(ByteBuffer data) {
            // Keep an incomplete UTF-8 sequence at the end of one message for the next one.
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + data.remaining());
            in.put(pending).put(data).flip();
            while (true) {
                chars.clear();
                var result = decoder.decode(in, chars, false);
                chars.flip();
                ctx.out().append(chars);
                if (!result.isOverflow()) break;
            }
            pending = ByteBuffer.allocate(in.remaining()).put(in).flip();
            ctx.out().flush();
            lastWriteNanos = System.nanoTime();
        }

        synchronized void write(CharSequence text) {
            ctx.out().append(text);
            ctx.out().flush();
            lastWriteNanos = System.nanoTime();
        }

        long lastWriteNanos() {
            return lastWriteNanos;
        }
    }

    /** Receives the guest's output and the end of the session, on the HTTP client's threads. */
    private static final class Listener implements WebSocket.Listener {
        private final Output output;
        private final CompletableFuture<End> end;
        /** Completes when the server's close frame (or an error) arrived. */
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Listener(Output output, CompletableFuture<End> end) {
            this.output = output;
            this.end = end;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            output.write(data);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            output.write(data);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            end.complete(new End.Closed(statusCode, reason == null ? "" : reason));
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            end.complete(new End.Failed(error));
            closed.complete(null);
        }
    }
}
