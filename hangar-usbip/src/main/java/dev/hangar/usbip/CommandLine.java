package dev.hangar.usbip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A command as an argument vector, for {@link ProcessBuilder} on the PC or an SSH {@code exec} request
 * in the workspace (which hands one string to the remote user's shell, see {@link #toShell()}).
 *
 * @param argv program and arguments; non-empty, no element contains a NUL or line break
 */
public record CommandLine(List<String> argv) {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9@%+:,./_-]+");

    /** Copies the list and rejects empty vectors and arguments with NUL or line breaks. */
    public CommandLine {
        argv = List.copyOf(Objects.requireNonNull(argv, "argv"));
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least the program name");
        }
        for (String arg : argv) {
            if (arg.indexOf('\0') >= 0 || arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("argument " + Fields.quote(arg) + " contains NUL or a line break");
            }
        }
    }

    /**
     * @param argv program and arguments
     * @return the command
     */
    public static CommandLine of(String... argv) {
        return new CommandLine(List.of(argv));
    }

    /** @return this command prefixed with {@code sudo} (may prompt for a password) */
    public CommandLine sudo() {
        return prefixed(List.of("sudo"));
    }

    /**
     * @return this command prefixed with {@code sudo -n}: fails at once instead of prompting when a
     *     password would be needed, which is how a non-interactive caller finds out whether sudo is allowed
     */
    public CommandLine sudoNonInteractive() {
        return prefixed(List.of("sudo", "-n"));
    }

    private CommandLine prefixed(List<String> prefix) {
        if (argv.getFirst().equals("sudo")) {
            throw new IllegalStateException("already runs through sudo: " + toShell());
        }
        List<String> all = new ArrayList<>(prefix);
        all.addAll(argv);
        return new CommandLine(all);
    }

    /**
     * Renders the command for a POSIX shell (what an SSH {@code exec} request runs, and what the CLI
     * prints for the user to copy): arguments made only of {@code [A-Za-z0-9@%+:,./_-]} stay as they
     * are, anything else is single-quoted, so no argument can start a second command (and {@code =} is
     * quoted so that no word is taken for a variable assignment).
     *
     * @return e.g. {@code usbip --tcp-port 3240 attach -r 127.0.0.1 -b 1-3}
     */
    public String toShell() {
        StringBuilder out = new StringBuilder();
        for (String arg : argv) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            if (SAFE.matcher(arg).matches()) {
                out.append(arg);
            } else {
                out.append('\'').append(arg.replace("'", "'\\''")).append('\'');
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return toShell();
    }
}
