package dev.hangar.provider.spi;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * An interactive shell in a running workspace, for kinds whose workspaces have no serial console
 * reachable from the control plane (Pods: the Kubernetes exec API, {@code sh -l} with a TTY);
 * offered by providers through {@link WorkspaceProvider#terminal()}. The control plane serves it on
 * the same console WebSocket as a serial console, so a client does not care which it got.
 *
 * <p>Unlike a serial line, a terminal has a size: {@link Session#resize} tells the shell's TTY
 * (SIGWINCH), as the exec API's resize channel does.
 *
 * <p>Thread-safe; each {@link #open} starts a new, independent shell.
 */
public interface WorkspaceTerminal {
    /**
     * Starts a login shell with a TTY in the workspace's running compute. Blocks until the shell
     * runs or fails to start (a network call: seconds at most).
     *
     * @param size the TTY's first size
     * @return the running shell; the caller closes it
     * @throws ProviderException when the workspace does not run or the shell cannot start; {@link
     *     ProviderException#permanent()} says whether trying again can help
     */
    Session open(WorkspaceSpec spec, Size size);

    /**
     * A TTY's size in character cells.
     *
     * @param columns 1 to 1000
     * @param rows 1 to 1000
     */
    record Size(int columns, int rows) {
        /** The size a terminal assumes when nobody says: 80x24. */
        public static final Size DEFAULT = new Size(80, 24);

        public Size {
            if (columns < 1 || columns > 1000 || rows < 1 || rows > 1000)
                throw new IllegalArgumentException(
                        "a terminal is 1..1000 columns by 1..1000 rows, got " + columns + "x" + rows);
        }
    }

    /**
     * One running shell. Its streams are raw bytes through the TTY (the TTY echoes and does the line
     * discipline; stdout and stderr are one stream). Closing ends the shell (hang-up) and is
     * idempotent. {@link #input()} and {@link #output()} may be used from two threads at once.
     */
    interface Session extends AutoCloseable {
        /** @return what the shell writes; end of stream when it exits or the connection drops */
        InputStream output();

        /** @return where keystrokes go */
        OutputStream input();

        /**
         * Tells the TTY its new size. Best effort: a size sent after the shell exited is dropped.
         */
        void resize(Size size);

        /** Ends the shell and releases the connection; idempotent; never throws. */
        @Override
        void close();
    }
}
