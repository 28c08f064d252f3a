package dev.hangar.usbip;

import java.util.List;
import java.util.Objects;

/**
 * The SSH remote ("reverse") forward that carries USB/IP: the workspace's sshd listens on {@code
 * 127.0.0.1:bindPort} inside the workspace and every connection there is relayed through the SSH
 * session to {@code target} (the PC's usbipd, normally {@code 127.0.0.1:3240}) as seen from the PC.
 * This is RFC 4254 section 7.1 {@code tcpip-forward}.
 *
 * <p>USB/IP has neither authentication nor encryption, so the bind address is fixed to {@code
 * 127.0.0.1}: the constructor refuses anything else (no {@code 0.0.0.0}, {@code *}, empty or {@code
 * localhost}, which may also bind {@code ::1}). Caveat for whoever configures the workspace: OpenSSH's
 * sshd ignores the requested address when its {@code GatewayPorts} is {@code yes} and then binds all
 * interfaces; the default {@code no} binds loopback and {@code clientspecified} honours {@code
 * 127.0.0.1}. Workspace images must not set {@code GatewayPorts yes}, and the end-to-end test checks
 * the listening sockets.
 *
 * <p>Mapping to clients: OpenSSH {@code ssh} takes {@link #openSshArguments()}; Apache MINA SSHD takes
 * {@code session.startRemotePortForwarding(new SshdSocketAddress(bindHost(), bindPort()), new
 * SshdSocketAddress(target().host(), target().port()))} (the first address is bound on the server, the
 * second is connected to on the client).
 *
 * @param bindHost always {@code 127.0.0.1}
 * @param bindPort port inside the workspace, 1..65535, or 0 to let sshd choose (OpenSSH then prints
 *     "Allocated port N", MINA returns the bound address)
 * @param target the usbipd the PC connects to
 */
public record RemoteForward(String bindHost, int bindPort, UsbipdAddress target) {
    /** The only address the workspace side may listen on. */
    public static final String LOOPBACK = "127.0.0.1";

    /** Enforces the loopback-only bind and the port range. */
    public RemoteForward {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(target, "target");
        if (!bindHost.equals(LOOPBACK)) {
            throw new IllegalArgumentException("the USB/IP forward must listen on " + LOOPBACK
                    + " inside the workspace, not " + Fields.quote(bindHost)
                    + ": USB/IP has no authentication, anyone who can reach the port could take the device");
        }
        Fields.requireTcpPort("workspace port of the USB/IP forward", bindPort, true);
    }

    /**
     * @param bindPort port inside the workspace (0 = sshd chooses)
     * @param target the PC's usbipd
     * @return a forward bound to {@code 127.0.0.1:bindPort}
     */
    public static RemoteForward loopback(int bindPort, UsbipdAddress target) {
        return new RemoteForward(LOOPBACK, bindPort, target);
    }

    /**
     * @return the {@code -R} value, {@code 127.0.0.1:PORT:HOST:HOSTPORT}, IPv6 targets in brackets, e.g.
     *     {@code 127.0.0.1:3240:127.0.0.1:3240}
     */
    public String openSshSpec() {
        String host = target.isIpv6Literal() ? "[" + target.host() + "]" : target.host();
        return bindHost + ":" + bindPort + ":" + host + ":" + target.port();
    }

    /**
     * @return {@code -o ExitOnForwardFailure=yes -R SPEC}: without {@code ExitOnForwardFailure} OpenSSH
     *     keeps the session open even when the workspace refuses the forward (e.g. port in use), and the
     *     attach would then hang instead of failing
     */
    public List<String> openSshArguments() {
        return List.of("-o", "ExitOnForwardFailure=yes", "-R", openSshSpec());
    }
}
