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
 */
public record SshConfigInput(GatewayHost gateway, String user, Path identityFile, List<WorkspaceHostKey> workspaces) {
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
        Set<String> seen = new HashSet<>();
        for (WorkspaceHostKey w : workspaces) {
            if (!seen.add(w.name())) throw new IllegalArgumentException("workspace " + w.name() + " is listed twice");
        }
    }
}
