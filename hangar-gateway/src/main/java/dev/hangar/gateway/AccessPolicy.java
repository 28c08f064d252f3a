package dev.hangar.gateway;

import dev.hangar.core.domain.Names;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a user may open a {@code direct-tcpip} channel to a host and port, and where the
 * gateway then connects. Thread-safe (stateless apart from the directory it consults).
 *
 * <p>Accepted target hosts (case-insensitive, as OpenSSH lower-cases host names): {@code <ws>},
 * {@code <ws>.hangar} (the user's own workspace {@code ws}), {@code <ws>.<owner>} and {@code
 * <ws>.<owner>.hangar} (the workspace of {@code owner}; only that owner and admins may reach it).
 * Only port 22 is accepted.
 *
 * <p>To avoid telling a user which workspaces other users have, the message for {@link
 * Denial#NOT_OWNER} is the same as for {@link Denial#UNKNOWN_WORKSPACE}; the audit record keeps the
 * exact reason.
 */
final class AccessPolicy {
    /** The only workspace port reachable through the gateway: its sshd. */
    static final int SSH_PORT = 22;

    private static final String SUFFIX = ".hangar";

    /** The bind address suffix of a USB/IP forward on the gateway ({@code -R <ws>.usbip:3240:...}). */
    static final String USBIP_SUFFIX = ".usbip";

    /** The only port of a USB/IP forward: the port the guest connects to (usbipd's). */
    static final int USBIP_PORT = 3240;

    private final GatewayDirectory directory;

    AccessPolicy(GatewayDirectory directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** The result of {@link #decide}. */
    sealed interface Decision {
        /** Connect to {@code target}'s endpoint. */
        record Allow(WorkspaceTarget.Reachable target) implements Decision {}

        /**
         * Refuse with {@code reason}; {@code workspaceId} is {@code ""} when no workspace was found.
         */
        record Deny(Denial reason, String message, String workspaceId) implements Decision {}
    }

    Decision decide(String user, String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(SUFFIX)) h = h.substring(0, h.length() - SUFFIX.length());
        String[] parts = h.split("\\.", -1);
        if (parts.length > 2
                || !Names.isDns1123Label(parts[0])
                || (parts.length == 2 && !Names.isDns1123Label(parts[1])))
            return new Decision.Deny(
                    Denial.INVALID_TARGET,
                    "'" + printable(host)
                            + "' is not a workspace; use <workspace>.hangar (or <workspace>.<owner>.hangar)",
                    "");
        String name = parts[0];
        String owner = parts.length == 2 ? parts[1] : user;
        String label = parts.length == 2 ? name + "." + owner : name;
        Optional<WorkspaceTarget> found = directory.workspace(owner, name);
        if (found.isEmpty()) return new Decision.Deny(Denial.UNKNOWN_WORKSPACE, noSuch(label), "");
        WorkspaceTarget ws = found.get();
        if (!ws.owner().equals(user) && !directory.isAdmin(user))
            return new Decision.Deny(Denial.NOT_OWNER, noSuch(label), ws.id());
        if (port != SSH_PORT)
            return new Decision.Deny(
                    Denial.WRONG_PORT,
                    "only port " + SSH_PORT + " (sshd) of a workspace is reachable through the gateway; got " + port
                            + "; forward other ports over your SSH session (ssh -L)",
                    ws.id());
        return switch (ws) {
            case WorkspaceTarget.Reachable r -> new Decision.Allow(r);
            case WorkspaceTarget.Unreachable u ->
                new Decision.Deny(Denial.NOT_RUNNING, notRunning(label, name, u), u.id());
        };
    }

    /**
     * Decides a USB/IP forward request ({@code tcpip-forward} for {@code <ws>[.<owner>]}{@value
     * #USBIP_SUFFIX} port {@value #USBIP_PORT}, ADR 0019): the same ownership and Running rules as a
     * {@code direct-tcpip} channel to that workspace's sshd.
     */
    Decision decideUsbip(String user, String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (!h.endsWith(USBIP_SUFFIX) || port != USBIP_PORT)
            return new Decision.Deny(
                    Denial.INVALID_TARGET,
                    "'" + printable(host) + ":" + port + "' is not a USB/IP forward; use <workspace>" + USBIP_SUFFIX
                            + ":" + USBIP_PORT + " (hangar usb attach does)",
                    "");
        return decide(user, h.substring(0, h.length() - USBIP_SUFFIX.length()), SSH_PORT);
    }

    /** "is starting" while it is on its way, else "start it": never advice that the state makes wrong. */
    private static String notRunning(String label, String name, WorkspaceTarget.Unreachable u) {
        String state = u.state() + (u.reason().isEmpty() ? "" : ": " + u.reason());
        if (u.starting())
            return "workspace '" + label + "' is starting (" + state + "); try again when it is Running ('hangar start "
                    + name + " --wait' waits for it)";
        return "workspace '" + label + "' is " + state + ", not Running; start it with 'hangar start " + name + "'";
    }

    private static String noSuch(String label) {
        return "no workspace '" + label + "' that you can reach; 'hangar list' shows yours";
    }

    /** Keeps control characters of client-supplied text out of messages and logs. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return b.toString();
    }
}
