package dev.hangar.cli;

import dev.hangar.api.client.HangarClient;
import dev.hangar.usbip.BusId;
import dev.hangar.usbip.CommandLine;
import dev.hangar.usbip.GatewayForward;
import dev.hangar.usbip.RemoteForward;
import dev.hangar.usbip.UsbipCommands;
import dev.hangar.usbip.UsbipPortListing;
import dev.hangar.usbip.UsbipdAddress;
import dev.hangar.usbip.VhciStatus;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The long-running part of {@code hangar usb attach}: one SSH session to the workspace carrying a
 * loopback-only remote forward to the PC's usbipd (or, for a local VM whose server offers it, a
 * {@link GatewayUsbipTunnel} beside a plain command session: the guest reaches usbipd at {@code
 * 10.0.2.100:3240} through the gateway, ADR 0019), {@code usbip attach} run through it, then a
 * watch loop that re-attaches when the import disappears (device reset, usbipd restart) and
 * reconnects with backoff when the link drops. {@link #undo()} (Ctrl-C through a shutdown hook,
 * {@code hangar usb detach} through the stop file, or the end of the loop) detaches in the
 * workspace, closes the tunnel, reports the detach to the server and removes the state file.
 *
 * <p>Process model: this JVM and at most one {@code ssh} child at a time (plus a short-lived one
 * for a detach after the link died); {@link WorkspaceShell#close()} ends each before the next
 * starts, so no ssh process outlives the attach.
 */
final class UsbAttachSession {
    /** Timeouts of single workspace commands and of logins. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final CliContext ctx;
    private final HangarClient client;
    private final String workspace;
    private final String owner;
    private final BusId busId;
    private final String vidPid;
    private final UsbipdAddress usbipd;
    private final Duration poll;
    private final Duration aliveInterval;
    private final BooleanSupplier exportable;
    private final Path stateFile;
    private final Path stopFile;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Object lock = new Object();

    private final boolean viaGateway;
    private WorkspaceShell shell;
    private GatewayUsbipTunnel tunnel;
    private UsbAttachState state;
    /** The import's vhci status line as read right after it was found; empty when not known. */
    private Optional<VhciStatus.Port> imported = Optional.empty();

    private boolean undone;

    /**
     * @param exportable asks the PC's usbipd whether the device is exportable again (binding it
     *     when the user allowed that); used before each re-attach
     */
    UsbAttachSession(
            CliContext ctx,
            HangarClient client,
            String workspace,
            String owner,
            BusId busId,
            String vidPid,
            UsbipdAddress usbipd,
            Duration poll,
            Duration aliveInterval,
            boolean viaGateway,
            BooleanSupplier exportable) {
        this.ctx = ctx;
        this.viaGateway = viaGateway;
        this.client = client;
        this.workspace = workspace;
        this.owner = owner;
        this.busId = busId;
        this.vidPid = vidPid;
        this.usbipd = usbipd;
        this.poll = poll;
        this.aliveInterval = aliveInterval;
        this.exportable = exportable;
        this.stateFile = UsbAttachState.file(ctx, workspace, busId.value());
        this.stopFile = UsbAttachState.stopFile(ctx, workspace, busId.value());
        this.state = new UsbAttachState(
                ProcessHandle.current().pid(), workspace, owner, busId.value(), vidPid, usbipd.toString(), 0, -1);
    }

    /**
     * Attaches, then watches until stopped; always undoes before returning.
     *
     * @return {@link ExitCodes#OK} after a requested stop
     * @throws CliException when the first attach fails (usbip missing, vhci-hcd not loadable, sudo
     *     refused, attach refused): nothing is left behind
     */
    int run() {
        try {
            Files.deleteIfExists(stopFile);
        } catch (java.io.IOException ignored) {
            // a stale stop file is harmless: it would only end this attach at once
        }
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            stop.countDown();
            undo();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            state.write(stateFile);
            connectAndAttach(true);
            watch();
            return ExitCodes.OK;
        } finally {
            stop.countDown();
            undo();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran; undo is idempotent
            }
        }
    }

    private void watch() {
        Duration backoff = Duration.ofSeconds(1);
        while (!stopRequested(poll)) {
            try {
                synchronized (lock) {
                    if (undone) return;
                    if (shell == null || !shell.alive() || (tunnel != null && !tunnel.alive()))
                        throw new WorkspaceShell.ShellException("link down");
                    if (stillImported()) {
                        backoff = Duration.ofSeconds(1);
                        continue;
                    }
                    WorkspaceShell.Result r = shell.run(WorkspaceUsbip.portCommand(), COMMAND_TIMEOUT);
                    Optional<UsbipPortListing.ImportedPort> found =
                            UsbipPortListing.find(r.output(), serverHost(), state.tunnelPort(), busId);
                    if (found.isPresent()) {
                        rememberImport(found.get().port());
                        backoff = Duration.ofSeconds(1);
                        continue;
                    }
                    say("device " + busId + " is gone from " + workspace
                            + " (reset or unplugged on this PC); re-attaching");
                    updateState(state.tunnelPort(), -1);
                    if (!exportable.getAsBoolean()) {
                        say("waiting for usbipd on " + usbipd + " to export " + busId + " again");
                        continue;
                    }
                    attach(false);
                    backoff = Duration.ofSeconds(1);
                }
            } catch (WorkspaceShell.ShellException | CliException e) {
                if (stopRequested(Duration.ZERO)) return;
                say("link to " + workspace + " lost (" + e.getMessage() + "); reconnecting in " + backoff.toSeconds()
                        + " s");
                synchronized (lock) {
                    closeShell();
                    updateState(0, -1);
                }
                if (stopRequested(backoff)) return;
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                try {
                    if (exportable.getAsBoolean()) connectAndAttach(false);
                } catch (WorkspaceShell.ShellException | CliException again) {
                    say("reconnect failed: " + again.getMessage());
                    synchronized (lock) {
                        closeShell();
                    }
                }
            }
        }
    }

    /** Opens the session with a port-0 forward (or the gateway tunnel), checks the workspace, attaches. */
    private void connectAndAttach(boolean first) {
        synchronized (lock) {
            if (undone) return;
            if (viaGateway) {
                connectViaGateway(first);
                return;
            }
            say("connecting to " + workspace + " (remote forward 127.0.0.1:<port> in the workspace -> " + usbipd
                    + " on this PC)");
            try {
                shell = WorkspaceShell.open(
                        sshHost(workspace, owner),
                        ctx.userHome(),
                        Optional.of(RemoteForward.loopback(0, usbipd)),
                        aliveInterval,
                        COMMAND_TIMEOUT);
            } catch (WorkspaceShell.ShellException e) {
                if (first) throw new CliException(ExitCodes.UNREACHABLE, "cannot open the tunnel: " + e.getMessage());
                throw e;
            }
            int port = shell.forwardPort();
            say("tunnel up: 127.0.0.1:" + port + " in " + workspace + " -> " + usbipd + " (ssh pid " + shell.pid()
                    + ")");
            updateState(port, -1);
            WorkspaceUsbip.check(shell, workspace);
            attach(first);
        }
    }

    /**
     * The gateway tunnel ({@link GatewayUsbipTunnel}) and a command session without a forward: the
     * guest's {@code usbip attach -r 10.0.2.100} reaches the PC's usbipd through the VM's guestfwd
     * and the gateway, never through the workspace's sshd.
     */
    private void connectViaGateway(boolean first) {
        GatewayForward forward = new GatewayForward(workspace, owner, usbipd);
        say("connecting to " + workspace + " through the gateway (" + GatewayForward.GUEST_HOST + ":"
                + GatewayForward.GUEST_PORT + " in the workspace -> " + usbipd + " on this PC)");
        try {
            tunnel = GatewayUsbipTunnel.open(ctx.userHome(), forward, aliveInterval, COMMAND_TIMEOUT);
            shell = WorkspaceShell.open(
                    sshHost(workspace, owner), ctx.userHome(), Optional.empty(), aliveInterval, COMMAND_TIMEOUT);
        } catch (WorkspaceShell.ShellException e) {
            if (first) throw new CliException(ExitCodes.UNREACHABLE, "cannot open the tunnel: " + e.getMessage());
            throw e;
        }
        say("tunnel up: " + GatewayForward.GUEST_HOST + ":" + GatewayForward.GUEST_PORT + " in " + workspace
                + " -> gateway (VM guestfwd) -> " + usbipd + " (ssh pid " + tunnel.pid() + ")");
        updateState(GatewayForward.GUEST_PORT, -1);
        WorkspaceUsbip.check(shell, workspace);
        attach(first);
    }

    /** @return where the workspace's {@code usbip} reaches usbipd: the guestfwd address or the loopback forward */
    private String serverHost() {
        return viaGateway ? GatewayForward.GUEST_HOST : RemoteForward.LOOPBACK;
    }

    private void attach(boolean first) {
        CommandLine cmd = (viaGateway
                        ? UsbipCommands.attach(GatewayForward.GUEST_HOST, GatewayForward.GUEST_PORT, busId)
                        : UsbipCommands.attach(state.tunnelPort(), busId))
                .sudoNonInteractive();
        WorkspaceShell.Result r = shell.run(cmd, COMMAND_TIMEOUT);
        if (!r.ok()) {
            String why = "'" + cmd.toShell() + "' failed in " + workspace + ": " + WorkspaceUsbip.oneLine(r.output());
            if (first) throw new CliException(ExitCodes.ERROR, why);
            say(why + "; retrying");
            return;
        }
        WorkspaceShell.Result ports = shell.run(WorkspaceUsbip.portCommand(), COMMAND_TIMEOUT);
        int vhci = UsbipPortListing.find(ports.output(), serverHost(), state.tunnelPort(), busId)
                .map(UsbipPortListing.ImportedPort::port)
                .orElse(-1);
        updateState(state.tunnelPort(), vhci);
        rememberImport(vhci);
        say("attached: " + busId + " (" + vidPid + ") is in " + workspace + " as vhci port " + vhci
                + (first ? "; Ctrl-C or 'hangar usb detach " + workspace + " " + busId + "' to detach" : ""));
    }

    /**
     * Undoes everything once: {@code usbip detach} in the workspace (over a fresh session if the
     * tunnel died), closes the tunnel, reports the detach to the server, deletes the state files.
     * Errors are reported and do not stop the remaining steps. Idempotent, thread-safe.
     */
    void undo() {
        synchronized (lock) {
            if (undone) return;
            undone = true;
            int tunnelPort = state.tunnelPort();
            boolean wasAttached = state.vhciPort() >= 0;
            try {
                if (wasAttached) {
                    if (shell == null || !shell.alive()) {
                        closeShell();
                        shell = WorkspaceShell.open(
                                sshHost(workspace, owner),
                                ctx.userHome(),
                                Optional.empty(),
                                aliveInterval,
                                COMMAND_TIMEOUT);
                    }
                    WorkspaceUsbip.detach(shell, serverHost(), tunnelPort, busId);
                }
            } catch (RuntimeException e) {
                say("could not detach in the workspace: " + e.getMessage());
            } finally {
                closeShell();
            }
            try {
                client.usb().detach(workspace, owner, busId.value());
            } catch (RuntimeException e) {
                say("could not report the detach to the server: " + e.getMessage());
            }
            try {
                Files.deleteIfExists(stateFile);
                Files.deleteIfExists(stopFile);
            } catch (java.io.IOException e) {
                say("could not delete " + stateFile + ": " + e.getMessage());
            }
            say("detached: " + busId + " from " + workspace + "; tunnel closed");
        }
    }

    /** @return the ssh host name's stem: {@code WS} for your own, {@code WS.OWNER} for another user's */
    static String sshHost(String workspace, String owner) {
        return owner.isEmpty() ? workspace : workspace + "." + owner;
    }

    private boolean stopRequested(Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        do {
            if (Files.exists(stopFile)) {
                say("detach requested");
                stop.countDown();
            }
            try {
                long left = end - System.nanoTime();
                if (stop.await(Math.max(0, Math.min(left, 200_000_000L)), TimeUnit.NANOSECONDS)) return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        } while (System.nanoTime() < end);
        return stop.getCount() == 0;
    }

    /**
     * The watch loop's cheap check: the vhci status files (no sudo, no usbip process) still show the
     * import exactly as right after it was found. Under TCG {@code sudo usbip port} every poll took
     * about a fifth of a 1-vCPU workspace's CPU and delayed the USB/IP traffic it watches; a {@code
     * cat} of the status files takes about a fifteenth of that. Anything else (changed line, unreadable
     * files, nothing remembered) falls back to {@code sudo usbip port}, the only listing that knows
     * the forward an import came through.
     */
    private boolean stillImported() {
        if (imported.isEmpty()) return false;
        WorkspaceShell.Result r = shell.runScript(VhciStatus.READ_COMMAND, COMMAND_TIMEOUT);
        if (r.ok() && VhciStatus.unchanged(imported.get(), r.output())) return true;
        imported = Optional.empty();
        return false;
    }

    /** Reads the status line of vhci port {@code vhci} (just found by {@code usbip port}) for {@link #stillImported}. */
    private void rememberImport(int vhci) {
        imported = Optional.empty();
        if (vhci < 0) return;
        WorkspaceShell.Result r = shell.runScript(VhciStatus.READ_COMMAND, COMMAND_TIMEOUT);
        if (r.ok()) imported = VhciStatus.find(r.output(), vhci).filter(VhciStatus.Port::inUse);
    }

    private void updateState(int tunnel, int vhci) {
        state = state.with(tunnel, vhci);
        if (!undone) state.write(stateFile);
    }

    private void closeShell() {
        imported = Optional.empty();
        if (tunnel != null) {
            tunnel.close();
            tunnel = null;
        }
        if (shell != null) {
            shell.close();
            shell = null;
        }
    }

    private void say(String line) {
        PrintWriter out = ctx.out();
        out.println("usb " + busId + ": " + line);
        out.flush();
    }
}
