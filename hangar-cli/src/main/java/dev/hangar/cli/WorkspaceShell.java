package dev.hangar.cli;

import dev.hangar.usbip.CommandLine;
import dev.hangar.usbip.RemoteForward;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One system OpenSSH session to {@code NAME.hangar} (the host {@code hangar config-ssh} writes: the
 * gateway as ProxyJump, pinned host keys, {@code StrictHostKeyChecking yes}) running a plain
 * {@code sh} that reads commands from this process, optionally carrying a remote forward. Used by
 * {@code hangar usb attach}: one ssh process holds the tunnel and runs every workspace-side
 * command, so nothing needs a second login and nothing outlives {@link #close()}.
 *
 * <p>Protocol: each {@link #run} writes {@code { CMD ; } </dev/null 2>&1; echo "MARKER $?"} to the
 * remote shell's standard input and reads its standard output up to the marker line. ssh's own
 * standard error is read by a thread that waits for OpenSSH's {@code Allocated port N for remote
 * forward} message (forwards with port 0) and keeps the last lines for error messages.
 *
 * <p>Not thread-safe for {@link #run}; callers serialise (the attach session holds one lock).
 */
final class WorkspaceShell implements AutoCloseable {
    private static final String MARKER = "@@hangar-rc";
    private static final Pattern ALLOCATED = Pattern.compile("Allocated port (\\d+) for remote forward");

    private final Process ssh;
    private final OutputStream stdin;
    private final BufferedReader stdout;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> errTail = new ArrayList<>();
    private final CompletableFuture<Integer> allocated = new CompletableFuture<>();

    /** Output and exit status of one remote command. */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** The session died or a command did not finish in time. */
    static final class ShellException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShellException(String message) {
            super(message);
        }
    }

    private WorkspaceShell(Process ssh) {
        this.ssh = ssh;
        this.stdin = ssh.getOutputStream();
        this.stdout = new BufferedReader(new InputStreamReader(ssh.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofVirtual().name("ssh-stdout").start(this::pumpStdout);
        Thread.ofVirtual().name("ssh-stderr").start(this::pumpStderr);
    }

    /**
     * Starts {@code ssh [-F HOME/.ssh/config] -T -o BatchMode=yes ... [-R forward] NAME.hangar sh}
     * and, with a forward, waits until the workspace's sshd has bound it.
     *
     * @param forward the remote forward; with port 0 the port sshd chose is {@link #forwardPort()}
     * @param aliveInterval ssh's {@code ServerAliveInterval}: a dead link is noticed after three
     *     unanswered probes
     * @param timeout how long to wait for the login and the forward
     * @throws ShellException with ssh's last error lines when it cannot log in or bind the forward
     */
    static WorkspaceShell open(
            String workspace, Path home, Optional<RemoteForward> forward, Duration aliveInterval, Duration timeout) {
        List<String> options = new ArrayList<>(List.of(
                "-T",
                "-o",
                "BatchMode=yes",
                // INFO is where OpenSSH reports "Allocated port"; the user's config may say QUIET.
                "-o",
                "LogLevel=INFO"));
        options.addAll(SshCommand.linkOptions(aliveInterval, timeout));
        forward.ifPresent(f -> options.addAll(f.openSshArguments()));
        options.add("--");
        options.add("sh");
        List<String> cmd = SshCommand.command(workspace, options, home);
        Process p = SshCommand.start(new ProcessBuilder(cmd));
        WorkspaceShell shell = new WorkspaceShell(p);
        try {
            if (forward.isPresent() && forward.get().bindPort() == 0) shell.awaitAllocatedPort(timeout);
            // A round trip proves the login worked (and, with ExitOnForwardFailure, the forward).
            // Debian gives non-root users no sbin on PATH, where usbip lives.
            shell.runScript("PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"; export PATH", timeout);
            return shell;
        } catch (RuntimeException e) {
            shell.close();
            throw e;
        }
    }

    /** @return the workspace port of a port-0 forward, as OpenSSH reported it */
    int forwardPort() {
        return allocated.getNow(0);
    }

    /** @return true while the ssh process runs */
    boolean alive() {
        return ssh.isAlive();
    }

    /** @return the ssh process id (to tell the user, and for tests) */
    long pid() {
        return ssh.pid();
    }

    /**
     * Runs one command in the workspace's shell.
     *
     * @return exit status and combined stdout/stderr
     * @throws ShellException when the session ended or the command did not finish within {@code
     *     timeout} (the session is then unusable; close it)
     */
    Result run(CommandLine command, Duration timeout) {
        return runScript(command.toShell(), timeout);
    }

    /** Like {@link #run} for a shell fragment built only from {@link CommandLine#toShell()} parts. */
    Result runScript(String script, Duration timeout) {
        if (!ssh.isAlive()) throw dead();
        try {
            stdin.write(("{ " + script + " ; } </dev/null 2>&1; echo \"" + MARKER + " $?\"\n")
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw dead();
        }
        StringBuilder out = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line;
            try {
                line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShellException("interrupted while waiting for the workspace");
            }
            if (line == null) {
                if (!ssh.isAlive()) throw dead();
                throw new ShellException("the workspace did not answer within " + timeout.toSeconds() + " s");
            }
            if (line == EOF) throw dead();
            if (line.startsWith(MARKER + " ")) {
                return new Result(
                        Integer.parseInt(line.substring(MARKER.length() + 1).strip()), out.toString());
            }
            out.append(line).append('\n');
        }
    }

    /** @return ssh's last lines of standard error, for messages */
    String errors() {
        synchronized (errTail) {
            return String.join("\n", errTail);
        }
    }

    /**
     * Ends the session: closes the remote shell's input (it exits, ssh closes the forward and
     * exits), then terminates ssh if it lingers, and then any process ssh started that outlived it
     * (the ProxyJump {@code ssh -W} to the gateway: ssh ends it on a normal exit, not when ssh itself
     * is killed). Idempotent; no ssh process remains afterwards.
     */
    @Override
    public void close() {
        // taken while ssh lives: once it is gone its children belong to init and are not listed
        List<ProcessHandle> children = ssh.descendants().toList();
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!ssh.waitFor(5, TimeUnit.SECONDS)) {
                ssh.destroy();
                if (!ssh.waitFor(5, TimeUnit.SECONDS)) ssh.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) end(child);
        } catch (InterruptedException e) {
            ssh.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    /** Terminates {@code p} if it still runs: SIGTERM, then SIGKILL after 5 s. */
    private static void end(ProcessHandle p) throws InterruptedException {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            p.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
        }
    }

    private void awaitAllocatedPort(Duration timeout) {
        try {
            allocated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ShellException("the workspace's sshd did not bind the USB/IP forward within "
                    + timeout.toSeconds() + " s" + tail());
        } catch (java.util.concurrent.ExecutionException e) {
            throw dead();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShellException("interrupted while waiting for the forward");
        }
    }

    private ShellException dead() {
        try {
            ssh.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String exit = ssh.isAlive() ? "" : " (ssh exit " + ssh.exitValue() + ")";
        return new ShellException("the SSH session to the workspace ended" + exit + tail());
    }

    private String tail() {
        String e = errors().strip();
        return e.isEmpty() ? "" : ": " + e.replace('\n', ' ');
    }

    private static final String EOF = new String("<eof>");

    private void pumpStdout() {
        try {
            String line;
            while ((line = stdout.readLine()) != null) lines.add(line);
        } catch (IOException ignored) {
            // the process ended
        }
        lines.add(EOF);
    }

    private void pumpStderr() {
        try (BufferedReader err =
                new BufferedReader(new InputStreamReader(ssh.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                Matcher m = ALLOCATED.matcher(line);
                if (m.find()) {
                    allocated.complete(Integer.parseInt(m.group(1)));
                    continue;
                }
                synchronized (errTail) {
                    errTail.add(line);
                    if (errTail.size() > 5) errTail.removeFirst();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        allocated.completeExceptionally(new IllegalStateException("ssh ended"));
    }
}
