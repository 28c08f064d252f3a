package dev.hangar.cli;

import dev.hangar.cli.sshconfig.SshConfigFiles;
import dev.hangar.usbip.GatewayForward;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway tunnel of {@code hangar usb attach} for a local VM (ADR 0019): one system OpenSSH
 * process to the gateway itself ({@code hangar-gateway}, the host {@code hangar config-ssh} writes,
 * its host key pinned) holding {@code -N -R <ws>.usbip:3240:<usbipd>}; the VM's guest then reaches
 * the PC's usbipd at {@code 10.0.2.100:3240}. No shell runs on the gateway; workspace commands go
 * through a separate {@link WorkspaceShell}.
 *
 * <p>{@link #open} returns once the gateway accepted the forward: OpenSSH reports that only at
 * {@code LogLevel=DEBUG1} ("remote forward success for: listen ..."), so ssh runs at that level
 * and its standard error is read here; with {@code ExitOnForwardFailure=yes} a refusal ends ssh.
 */
final class GatewayUsbipTunnel implements AutoCloseable {
    private static final String SUCCESS = "remote forward success for: listen ";

    private final Process ssh;
    private final CompletableFuture<Void> accepted = new CompletableFuture<>();
    private final List<String> errTail = new ArrayList<>();

    private GatewayUsbipTunnel(Process ssh) {
        this.ssh = ssh;
        Thread.ofVirtual().name("ssh-gateway-stderr").start(this::pumpStderr);
    }

    /**
     * Starts {@code ssh [-F ...] -N -o BatchMode=yes ... -o ExitOnForwardFailure=yes -R SPEC
     * hangar-gateway} and waits until the gateway accepted the forward.
     *
     * @throws WorkspaceShell.ShellException when ssh cannot log in to the gateway or the gateway
     *     refuses the forward (the message says what may hold it)
     */
    static GatewayUsbipTunnel open(Path home, GatewayForward forward, Duration aliveInterval, Duration timeout) {
        List<String> cmd = SshCommand.sshBinary(home);
        cmd.addAll(List.of("-N", "-T", "-o", "BatchMode=yes", "-o", "LogLevel=DEBUG1"));
        cmd.addAll(SshCommand.linkOptions(aliveInterval, timeout));
        cmd.addAll(forward.openSshArguments());
        cmd.add(SshConfigFiles.GATEWAY_ALIAS);
        Process p = SshCommand.start(new ProcessBuilder(cmd));
        GatewayUsbipTunnel t = new GatewayUsbipTunnel(p);
        try {
            t.accepted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return t;
        } catch (TimeoutException e) {
            t.close();
            throw new WorkspaceShell.ShellException(
                    "the gateway did not accept the USB/IP forward within " + timeout.toSeconds() + " s" + t.tail());
        } catch (ExecutionException e) {
            t.close();
            throw new WorkspaceShell.ShellException("the gateway refused the USB/IP forward " + forward.bindHost()
                    + ":" + GatewayForward.GUEST_PORT + " (another 'hangar usb attach' may hold it for this"
                    + " workspace, or its VM restarted without the guest forward; --via ssh avoids it)" + t.tail());
        } catch (InterruptedException e) {
            t.close();
            Thread.currentThread().interrupt();
            throw new WorkspaceShell.ShellException("interrupted while waiting for the gateway");
        }
    }

    /** @return true while the ssh process runs */
    boolean alive() {
        return ssh.isAlive();
    }

    /** @return the ssh process id */
    long pid() {
        return ssh.pid();
    }

    /** Ends ssh (the gateway then stops listening for the guest). Idempotent; no process remains. */
    @Override
    public void close() {
        try {
            ssh.getOutputStream().close();
            ssh.destroy();
            if (!ssh.waitFor(5, TimeUnit.SECONDS)) ssh.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            ssh.destroyForcibly();
        } catch (InterruptedException e) {
            ssh.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String tail() {
        synchronized (errTail) {
            String e = String.join(" ", errTail).strip();
            return e.isEmpty() ? "" : ": " + e;
        }
    }

    private void pumpStderr() {
        try (BufferedReader err =
                new BufferedReader(new InputStreamReader(ssh.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                if (line.contains(SUCCESS)) accepted.complete(null);
                if (line.startsWith("debug")) continue; // keep only what a user should see
                synchronized (errTail) {
                    errTail.add(line);
                    if (errTail.size() > 5) errTail.removeFirst();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        accepted.completeExceptionally(new IllegalStateException("ssh ended"));
    }
}
