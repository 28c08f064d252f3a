package dev.hangar.cli.sshconfig;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything {@code hangar config-ssh} writes, as plain values (the CLI gathers them from the
 * server's API).
 *
 * @param gateway where the gateway listens and its host key
 * @param user the Hangar user name: the SSH user at the gateway and inside workspaces
 * @param identityFile the private key whose public half the user registered (absolute path)
 * @param workspaces pinned host keys of the workspaces to reach; names must be distinct
 * @param hostCertificateAuthorities public keys ({@code "<algorithm> <base64>"}) of the CAs whose host
 *     certificates are trusted for every {@code *.hangar} host (the server's SSH host CA); empty for a
 *     server without one
 */
public record SshConfigInput(
        GatewayHost gateway,
        String user,
        Path identityFile,
        List<WorkspaceHostKey> workspaces,
        List<String> hostCertificateAuthorities) {
    /**
     * @throws IllegalArgumentException saying which value is wrong
     */
    public SshConfigInput {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(identityFile, "identityFile");
        if (!user.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"))
            throw new IllegalArgumentException("user '" + user + "' is not a Hangar user name (a DNS-1123 label)");
        if (!identityFile.isAbsolute())
            throw new IllegalArgumentException("identity file must be an absolute path; got " + identityFile);
        workspaces = List.copyOf(workspaces);
        hostCertificateAuthorities = hostCertificateAuthorities.stream()
                .map(k -> SshConfigFiles.publicKey("host CA key", k))
                .distinct()
                .toList();
        Set<String> seen = new HashSet<>();
        for (WorkspaceHostKey w : workspaces) {
            if (!seen.add(w.name())) throw new IllegalArgumentException("workspace " + w.name() + " is listed twice");
        }
    }

    /** Input without host certificate authorities: workspaces are trusted by their pinned keys only. */
    public SshConfigInput(GatewayHost gateway, String user, Path identityFile, List<WorkspaceHostKey> workspaces) {
        this(gateway, user, identityFile, workspaces, List.of());
    }
}
