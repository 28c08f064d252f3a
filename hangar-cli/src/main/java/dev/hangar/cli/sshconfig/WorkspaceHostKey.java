package dev.hangar.cli.sshconfig;

import java.util.List;
import java.util.Objects;

/**
 * A workspace's pinned SSH host key, as Hangar generated it.
 *
 * @param name the host name without the {@code .hangar} suffix: the workspace name for the user's
 *     own workspaces ({@code dev} becomes {@code dev.hangar}), or {@code <workspace>.<owner>} for
 *     another user's (admins)
 * @param hostKey the public host key, {@code <type> <base64>} (a trailing comment is dropped)
 * @param localForwards {@code host:port} targets in the workspace that ssh forwards from the same
 *     port on the user's machine ({@code LocalForward}; a devcontainer's {@code forwardPorts})
 */
public record WorkspaceHostKey(String name, String hostKey, List<String> localForwards) {
    /** A workspace without forwarded ports. */
    public WorkspaceHostKey(String name, String hostKey) {
        this(name, hostKey, List.of());
    }

    /**
     * @throws IllegalArgumentException saying which value is wrong
     */
    public WorkspaceHostKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostKey, "hostKey");
        if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)?"))
            throw new IllegalArgumentException("workspace host name '" + name
                    + "' must be <workspace> or <workspace>.<owner> (DNS-1123 labels), without .hangar");
        hostKey = SshConfigFiles.publicKey("host key of workspace " + name, hostKey);
        localForwards = List.copyOf(localForwards);
        for (String f : localForwards)
            if (!f.matches("[A-Za-z0-9._-]+:[0-9]{1,5}"))
                throw new IllegalArgumentException(
                        "forwarded port '" + f + "' of workspace " + name + " is not host:port");
    }

    /** @return the host name clients use, {@code <name>.hangar} */
    public String hostName() {
        return name + SshConfigFiles.SUFFIX;
    }
}
