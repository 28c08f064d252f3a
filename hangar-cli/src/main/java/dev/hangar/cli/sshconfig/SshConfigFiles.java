package dev.hangar.cli.sshconfig;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Pure rendering of the files {@code hangar config-ssh} manages (no I/O). Stateless and
 * thread-safe. Keywords and semantics follow ssh_config(5) and sshd(8) (known_hosts format) of
 * OpenSSH 9.
 */
public final class SshConfigFiles {
    /** Host name suffix of workspaces. */
    public static final String SUFFIX = ".hangar";

    /** The alias of the gateway in the generated config (it does not match {@code *.hangar}). */
    public static final String GATEWAY_ALIAS = "hangar-gateway";

    /** known_hosts marker and host pattern that trust a host CA for every workspace (sshd(8)). */
    public static final String CERT_AUTHORITY = "@cert-authority *" + SUFFIX;

    /**
     * The ciphers of the hop to the gateway: OpenSSH's default set (ssh_config(5), OpenSSH 6.5 to 9),
     * nothing added or removed, reordered so that AES-GCM comes first. The gateway (Apache MINA SSHD
     * on the JDK) decrypts this hop; the JDK runs AES-GCM on AES-NI and carry-less multiply, while
     * its chacha20-poly1305 is plain Java: scp of 1 GiB through the gateway went from about 0.5 to
     * about 1 times an OpenSSH jump host (bench/README.md, #18). The end-to-end session to the
     * workspace, behind the jump, keeps the client's defaults.
     */
    public static final String GATEWAY_CIPHERS = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,"
            + "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";

    static final String HEADER = "# Written by 'hangar config-ssh'; it rewrites this file, so put your own settings in"
            + " ~/.ssh/config.\n";

    private static final Pattern PUBLIC_KEY = Pattern.compile("([a-z0-9@.-]+) ([A-Za-z0-9+/]+={0,2})(\\s.*)?");
    private static final Pattern FIRST_WORD = Pattern.compile("^\\s*([A-Za-z]+)\\s*(=|\\s|$)");

    private SshConfigFiles() {}

    /**
     * Renders ~/.ssh/hangar/config: a {@code Host hangar-gateway} block and a {@code Host *.hangar}
     * block that jumps through it, with strict host-key checking against our own known_hosts, and
     * the gateway hop's ciphers in the order the gateway is fastest with ({@link #GATEWAY_CIPHERS}).
     *
     * <p>Only options that Hangar needs are set, so a user's own {@code Host *.hangar} block can
     * still add others (e.g. {@code ForwardAgent}, off by default). Paths are absolute: ssh expands
     * {@code ~} from the password database, not {@code $HOME}.
     */
    public static String config(SshConfigInput in, Path knownHosts) {
        String identity = quote(in.identityFile());
        String known = quote(knownHosts);
        return HEADER
                + "\n"
                + "Host " + GATEWAY_ALIAS + "\n"
                + "  HostName " + in.gateway().host() + "\n"
                + "  Port " + in.gateway().port() + "\n"
                + "  User " + in.user() + "\n"
                + "  IdentityFile " + identity + "\n"
                + "  IdentitiesOnly yes\n"
                + "  UserKnownHostsFile " + known + "\n"
                + "  StrictHostKeyChecking yes\n"
                + "  UpdateHostKeys no\n"
                + "  Ciphers " + GATEWAY_CIPHERS + "\n"
                + "\n"
                + "Host *" + SUFFIX + "\n"
                + "  ProxyJump " + GATEWAY_ALIAS + "\n"
                + "  User " + in.user() + "\n"
                + "  IdentityFile " + identity + "\n"
                + "  IdentitiesOnly yes\n"
                + "  UserKnownHostsFile " + known + "\n"
                + "  StrictHostKeyChecking yes\n"
                + "  UpdateHostKeys no\n"
                + localForwards(in);
    }

    /**
     * @return a {@code Host <name>.hangar} block per workspace with forwarded ports (a devcontainer's
     *     {@code forwardPorts}): {@code LocalForward PORT HOST:PORT}, the same port on the user's
     *     machine; workspaces sorted by name; empty when none has any
     */
    private static String localForwards(SshConfigInput in) {
        StringBuilder b = new StringBuilder();
        in.workspaces().stream()
                .filter(w -> !w.localForwards().isEmpty())
                .sorted(Comparator.comparing(WorkspaceHostKey::name))
                .forEach(w -> {
                    b.append("\nHost ").append(w.hostName()).append('\n');
                    for (String f : w.localForwards())
                        b.append("  LocalForward ")
                                .append(f.substring(f.lastIndexOf(':') + 1))
                                .append(' ')
                                .append(f)
                                .append('\n');
                });
        return b.toString();
    }

    /**
     * Renders ~/.ssh/hangar/known_hosts: the gateway's key under {@link
     * GatewayHost#knownHostsName()}, one {@code @cert-authority *.hangar <key>} line per host CA (so
     * every workspace whose sshd presents a host certificate of that CA for its name is trusted,
     * also one created after this file was written), and each workspace's pinned key under {@code
     * <name>.hangar} (the name ssh looks up for port 22 behind the jump; it still covers workspaces
     * whose sshd has no certificate), workspaces sorted by name.
     */
    public static String knownHosts(SshConfigInput in) {
        StringBuilder b = new StringBuilder(HEADER);
        b.append(in.gateway().knownHostsName())
                .append(' ')
                .append(in.gateway().hostKey())
                .append('\n');
        in.hostCertificateAuthorities()
                .forEach(ca -> b.append(CERT_AUTHORITY).append(' ').append(ca).append('\n'));
        in.workspaces().stream()
                .sorted(Comparator.comparing(WorkspaceHostKey::name))
                .forEach(w ->
                        b.append(w.hostName()).append(' ').append(w.hostKey()).append('\n'));
        return b.toString();
    }

    /** @return the Include line for ~/.ssh/config */
    public static String includeLine(Path hangarConfig) {
        return "Include " + quote(hangarConfig);
    }

    /**
     * Adds {@code include} to the text of ~/.ssh/config above its first {@code Host} or {@code
     * Match} line (so it applies to all hosts), or at the end when there is none. Every other line
     * is kept byte for byte. Idempotent: returns {@code existing} unchanged when it already has an
     * {@code Include} of {@code hangarConfig} (absolute or {@code ~/} form, any case of the keyword).
     */
    public static String withInclude(String existing, Path hangarConfig, Path home) {
        String line = includeLine(hangarConfig);
        List<String> lines = existing.lines().toList();
        for (String l : lines) {
            if (isIncludeOf(l, hangarConfig, home)) return existing;
        }
        StringBuilder b = new StringBuilder();
        // Keep the user's text exactly, including its line separators.
        int pos = 0;
        boolean inserted = false;
        while (pos < existing.length()) {
            int nl = existing.indexOf('\n', pos);
            int end = nl < 0 ? existing.length() : nl + 1;
            String raw = existing.substring(pos, end);
            if (!inserted && startsBlock(raw)) {
                b.append(line).append('\n');
                inserted = true;
            }
            b.append(raw);
            pos = end;
        }
        if (!inserted) {
            if (b.length() > 0 && b.charAt(b.length() - 1) != '\n') b.append('\n');
            b.append(line).append('\n');
        }
        return b.toString();
    }

    private static boolean startsBlock(String raw) {
        var m = FIRST_WORD.matcher(raw);
        if (!m.find()) return false;
        String word = m.group(1).toLowerCase(Locale.ROOT);
        return word.equals("host") || word.equals("match");
    }

    private static boolean isIncludeOf(String raw, Path hangarConfig, Path home) {
        String t = raw.strip();
        var m = FIRST_WORD.matcher(t);
        if (!m.find() || !m.group(1).equalsIgnoreCase("include")) return false;
        String rest = t.substring(m.end()).strip();
        if (rest.startsWith("=")) rest = rest.substring(1).strip();
        if (rest.length() >= 2 && rest.startsWith("\"") && rest.endsWith("\""))
            rest = rest.substring(1, rest.length() - 1);
        if (rest.equals(hangarConfig.toString())) return true;
        if (hangarConfig.startsWith(home)) {
            String relative = home.relativize(hangarConfig).toString();
            if (rest.equals("~/" + relative)) return true;
            // ssh_config(5): relative Include paths in a user config are relative to ~/.ssh
            Path sshDir = home.resolve(".ssh");
            if (hangarConfig.startsWith(sshDir)
                    && rest.equals(sshDir.relativize(hangarConfig).toString())) return true;
        }
        return false;
    }

    /** @return {@code path} as an ssh_config argument, double-quoted when it contains blanks */
    static String quote(Path path) {
        String s = path.toString();
        if (s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0)
            throw new IllegalArgumentException("path " + s.replace("\n", "\\n")
                    + " contains a double quote or line break, which ssh_config cannot express; use another path");
        return s.chars().anyMatch(Character::isWhitespace) ? "\"" + s + "\"" : s;
    }

    /**
     * Validates an OpenSSH public key ({@code <type> <base64> [comment]}) and returns it without the
     * comment.
     *
     * @throws IllegalArgumentException naming {@code what} and the expected form
     */
    static String publicKey(String what, String key) {
        var m = PUBLIC_KEY.matcher(key.strip());
        if (!m.matches())
            throw new IllegalArgumentException(
                    what + " is not an OpenSSH public key; expected '<type> <base64>', e.g. 'ssh-ed25519 AAAAC3...'");
        return m.group(1) + " " + m.group(2);
    }
}
