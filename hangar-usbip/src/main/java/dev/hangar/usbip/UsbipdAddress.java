package dev.hangar.usbip;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a {@code usbipd} listens, as given to {@code --usbipd HOST:PORT}. The default is {@code
 * 127.0.0.1:3240}, the local usbipd on the developer's PC; another host is allowed (e.g. a usbipd
 * whose port is forwarded from a VM), but note that USB/IP itself is unauthenticated and unencrypted.
 *
 * @param host an IPv4 literal, an IPv6 literal without brackets, or a DNS host name
 * @param port TCP port 1..65535
 */
public record UsbipdAddress(String host, int port) {
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    // declared after the patterns: static initialisers run in order and the constructor uses them
    /** {@code 127.0.0.1:3240}. */
    public static final UsbipdAddress DEFAULT = new UsbipdAddress("127.0.0.1", UsbipProtocol.DEFAULT_PORT);

    /** Validates host syntax (no shell or ssh-option metacharacters can pass) and port range. */
    public UsbipdAddress {
        Objects.requireNonNull(host, "host");
        requireHost(host);
        Fields.requireTcpPort("usbipd port", port, false);
    }

    /**
     * Parses {@code HOST}, {@code HOST:PORT}, {@code [IPV6]} or {@code [IPV6]:PORT}; the port defaults
     * to 3240. A bare IPv6 literal such as {@code ::1} is accepted without port.
     *
     * @param text e.g. {@code 127.0.0.1:3240}, {@code pc.example:3240}, {@code [::1]:3240}
     * @return the address
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static UsbipdAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw invalid(text, "missing ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid(text, "expected ':PORT' after ']'");
                }
                port = rest.substring(1);
            }
            if (!host.contains(":")) {
                throw invalid(text, "brackets are only for IPv6 addresses");
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            host = s; // several colons and no brackets: a bare IPv6 literal
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        int portNumber = UsbipProtocol.DEFAULT_PORT;
        if (port != null) {
            if (!port.matches("[0-9]{1,5}")) {
                throw invalid(text, "port must be a number 1..65535");
            }
            portNumber = Integer.parseInt(port);
        }
        try {
            return new UsbipdAddress(host, portNumber);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e.getMessage());
        }
    }

    /** @return true if {@link #host()} is an IPv6 literal (needs brackets in URLs and ssh specs) */
    public boolean isIpv6Literal() {
        return host.contains(":");
    }

    /** @return {@code host:port}, or {@code [host]:port} for IPv6 literals */
    @Override
    public String toString() {
        return (isIpv6Literal() ? "[" + host + "]" : host) + ":" + port;
    }

    static void requireHost(String host) {
        boolean ok = host.contains(":")
                ? IPV6.matcher(host).matches()
                : IPV4.matcher(host).matches() || (HOSTNAME.matcher(host).matches() && !host.matches("[0-9.]+"));
        if (!ok) {
            throw new IllegalArgumentException(
                    "invalid host " + Fields.quote(host) + ": expected an IPv4 address, an IPv6 address or a DNS name");
        }
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid usbipd address " + Fields.quote(text) + ": " + why
                + "; expected HOST[:PORT] or [IPV6][:PORT], e.g. 127.0.0.1:3240");
    }
}
