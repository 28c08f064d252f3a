package dev.hangar.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Puts the controlling terminal ({@code /dev/tty}) into raw mode with {@code stty raw -echo} and
 * restores the settings saved by {@code stty -g} on {@link #close()}, or from a shutdown hook if
 * the JVM is terminated first (SIGTERM, SIGHUP). In raw mode the terminal sends every key
 * unchanged, Ctrl-C included (it reaches the guest instead of stopping the CLI). Not thread-safe;
 * one per attach.
 */
final class RawTerminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private final Thread restoreOnExit;
    private boolean restored;

    private RawTerminal(String saved) {
        this.saved = saved;
        this.restoreOnExit = new Thread(this::restore, "hangar-restore-tty");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
    }

    /**
     * @return the terminal in raw mode; close it to restore
     * @throws CliException when stty fails (no terminal, stty missing)
     */
    static RawTerminal enter() {
        String saved = stty("-g").strip();
        RawTerminal t = new RawTerminal(saved);
        try {
            stty("raw", "-echo");
        } catch (CliException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Restores the saved settings. Idempotent. */
    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs restore(), which is idempotent.
        }
    }

    private synchronized void restore() {
        if (restored) return;
        restored = true;
        try {
            stty(saved);
        } catch (CliException e) {
            System.err.println("warning: " + e.getMessage() + "; run 'stty sane' to repair the terminal");
        }
    }

    private static String stty(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(TTY)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CliException(ExitCodes.ERROR, "stty " + String.join(" ", args) + " did not finish");
            }
            if (p.exitValue() != 0)
                throw new CliException(
                        ExitCodes.ERROR, "stty " + String.join(" ", args) + " failed (exit " + p.exitValue() + ")");
            return out;
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot run stty (" + e.getMessage() + "); install coreutils");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while running stty");
        }
    }
}
