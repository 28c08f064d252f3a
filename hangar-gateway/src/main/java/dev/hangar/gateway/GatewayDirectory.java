package dev.hangar.gateway;

import java.security.PublicKey;
import java.util.Optional;

/**
 * What the gateway needs to know about users and workspaces. The server implements it against its
 * store; the gateway owns the policy (who may reach what), so implementations only report facts.
 *
 * <p>Implementations must be thread-safe: the gateway calls them from many connections at once,
 * on virtual threads (blocking calls such as database queries are fine).
 */
public interface GatewayDirectory {

    /**
     * Finds the user who registered {@code key}. The store looks keys up by OpenSSH SHA256
     * fingerprint ({@code KeyUtils.getFingerPrint(BuiltinDigests.sha256, key)}, the form of {@code
     * SshPublicKey#fingerprint()}).
     *
     * @param key a public key offered by an SSH client
     * @return the owning user's name, or empty when nobody registered this key
     */
    Optional<String> userForKey(PublicKey key);

    /**
     * @param user a user name returned by {@link #userForKey}
     * @return true when the user is an admin (admins may reach every workspace)
     */
    boolean isAdmin(String user);

    /**
     * Looks a workspace up by owner and name (names are unique per owner).
     *
     * @param owner the owning user's name
     * @param name the workspace's DNS-1123 name
     * @return the workspace, reachable or not; empty when that owner has no such workspace
     */
    Optional<WorkspaceTarget> workspace(String owner, String name);

    /**
     * The unix socket the workspace's guest connects to for USB/IP while its compute runs (a local
     * VM launched with the {@code guestfwd} of ADR 0019), as its provider reports it.
     *
     * @param workspaceId a workspace id from {@link WorkspaceTarget#id()}
     * @return the absolute socket path; empty when the workspace has none (the default)
     */
    default Optional<java.nio.file.Path> usbipGuestSocket(String workspaceId) {
        return Optional.empty();
    }
}
