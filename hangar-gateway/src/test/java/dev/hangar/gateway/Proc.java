package dev.hangar.gateway;

import dev.hangar.testfixtures.HostCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/** Runs a real program (ssh, scp, ssh-keygen) to completion with a timeout; test helper. */
public final class Proc {
    private Proc() {}

    /** Exit code and output of a finished process. */
    public record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs {@code cmd} with stdin from /dev/null, no SSH agent, killing it after {@code timeout}. */
    public static Result run(Duration timeout, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // keys come only from the generated config, never from a developer's agent
        pb.environment().remove("SSH_AUTH_SOCK");
        try {
            HostCommands.Output o = HostCommands.run(pb, timeout);
            return new Result(o.exitCode(), o.stdout(), o.stderr());
        } catch (HostCommands.TimedOut e) {
            throw new AssertionError("timed out after " + timeout + ": " + cmd + "\n--- stderr\n"
                    + e.partial().stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Runs {@code cmd} and fails the test with its output unless it exits 0. */
    public static Result ok(Duration timeout, List<String> cmd) {
        Result r = run(timeout, cmd);
        if (r.exit() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + r);
        return r;
    }
}
