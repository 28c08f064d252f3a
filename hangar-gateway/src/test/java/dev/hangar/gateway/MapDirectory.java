package dev.hangar.gateway;

import dev.hangar.core.domain.SshPublicKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;

/**
 * Test double of {@link GatewayDirectory} backed by maps. The directory is the server's adapter to
 * its store (not the system under test here); like the server it looks keys up by their SHA256
 * fingerprint as core's {@link SshPublicKey} computes it.
 */
public final class MapDirectory implements GatewayDirectory {
    private final Map<String, String> userByFingerprint = new ConcurrentHashMap<>();
    private final Set<String> admins = ConcurrentHashMap.newKeySet();
    private final Map<String, WorkspaceTarget> workspaces = new ConcurrentHashMap<>();
    private final Map<String, java.nio.file.Path> usbipSockets = new ConcurrentHashMap<>();

    /** Registers an authorized_keys line for {@code user}. */
    public MapDirectory key(String user, String publicLine) {
        userByFingerprint.put(SshPublicKey.parse(publicLine).fingerprint(), user);
        return this;
    }

    public MapDirectory admin(String user) {
        admins.add(user);
        return this;
    }

    /** Adds or replaces the owner's workspace {@code name}. */
    public MapDirectory workspace(String name, WorkspaceTarget target) {
        workspaces.put(target.owner() + "/" + name, target);
        return this;
    }

    /** Gives workspace {@code id} a guest USB/IP socket (a local VM launched with the guestfwd). */
    public MapDirectory usbipSocket(String id, java.nio.file.Path socket) {
        usbipSockets.put(id, socket);
        return this;
    }

    @Override
    public Optional<java.nio.file.Path> usbipGuestSocket(String workspaceId) {
        return Optional.ofNullable(usbipSockets.get(workspaceId));
    }

    @Override
    public Optional<String> userForKey(PublicKey key) {
        return Optional.ofNullable(userByFingerprint.get(KeyUtils.getFingerPrint(BuiltinDigests.sha256, key)));
    }

    @Override
    public boolean isAdmin(String user) {
        return admins.contains(user);
    }

    @Override
    public Optional<WorkspaceTarget> workspace(String owner, String name) {
        return Optional.ofNullable(workspaces.get(owner + "/" + name));
    }
}
