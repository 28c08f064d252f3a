package dev.hangar.usbip;

import java.util.List;
import java.util.Objects;

/**
 * The remote forward that carries USB/IP into a local VM workspace through the Hangar SSH gateway
 * (ADR 0019), in place of {@link RemoteForward} into the workspace's sshd: OpenSSH asks the
 * gateway itself for {@code tcpip-forward} on {@code <ws>[.<owner>].usbip:3240}; the VM's user
 * network sends the guest's connections to {@value #GUEST_HOST}:{@value #GUEST_PORT} to the
 * gateway, which carries each one back through that session to {@code target}, the PC's usbipd.
 *
 * <p>The bind address only names the workspace: nothing listens on a network address anywhere,
 * and the gateway accepts it only from a user who may use the workspace.
 *
 * @param workspace the workspace name (a DNS-1123 label)
 * @param owner the owner's name when it is another user's workspace; empty for one's own
 * @param target the usbipd the PC connects to
 */
public record GatewayForward(String workspace, String owner, UsbipdAddress target) {
    /** Where the guest connects: the VM's guestfwd address inside its user-mode network. */
    public static final String GUEST_HOST = "10.0.2.100";

    /** The guest port, usbipd's own: {@code usbip attach} needs only {@code -r}. */
    public static final int GUEST_PORT = 3240;

    /** The bind-address suffix the gateway accepts. */
    public static final String SUFFIX = ".usbip";

    private static final java.util.regex.Pattern LABEL =
            java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** Requires DNS-1123 labels (they become part of an ssh argument). */
    public GatewayForward {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(target, "target");
        if (!LABEL.matcher(workspace).matches())
            throw new IllegalArgumentException("workspace " + Fields.quote(workspace) + " is not a DNS-1123 label");
        if (!owner.isEmpty() && !LABEL.matcher(owner).matches())
            throw new IllegalArgumentException("owner " + Fields.quote(owner) + " is not a DNS-1123 label");
    }

    /** @return {@code <ws>.usbip} or {@code <ws>.<owner>.usbip} */
    public String bindHost() {
        return workspace + (owner.isEmpty() ? "" : "." + owner) + SUFFIX;
    }

    /** @return the {@code -R} value, e.g. {@code dev.usbip:3240:127.0.0.1:3240} */
    public String openSshSpec() {
        String host = target.isIpv6Literal() ? "[" + target.host() + "]" : target.host();
        return bindHost() + ":" + GUEST_PORT + ":" + host + ":" + target.port();
    }

    /**
     * @return {@code -o ExitOnForwardFailure=yes -R SPEC}: a refused forward (another attach holds
     *     it, the VM has no guest forward) ends ssh with an error instead of a silent session
     */
    public List<String> openSshArguments() {
        return List.of("-o", "ExitOnForwardFailure=yes", "-R", openSshSpec());
    }
}
