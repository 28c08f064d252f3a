package dev.hangar.core.domain;

import dev.hangar.provider.spi.SshHostKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One workspace as stored. Immutable; changes produce a new value through the {@code with*}
 * methods, and the store accepts an update only if {@link #version()} still matches (optimistic
 * concurrency).
 *
 * @param id immutable UUID string
 * @param name DNS-1123 label, unique per owner
 * @param owner the owning user's name
 * @param template the template it was created from
 * @param providerType the provider that runs it, e.g. {@code qemu}
 * @param parameters sizes and image
 * @param hostKey the SSH host key Hangar generated for it (its private half is a secret)
 * @param desired what the user asked for
 * @param phase what the reconciler last observed
 * @param reason why it is in this phase (an error, a Kubernetes reason); empty when none
 * @param sshHost where the control plane reaches its sshd while Running; empty otherwise
 * @param sshPort that sshd's port while Running; 0 otherwise
 * @param restartPending true after a restart request until the workspace has been stopped once; the
 *     reconciler then starts it again (keeps restart level-triggered: it survives a server restart)
 * @param failures consecutive failed reconcile passes, for exponential backoff; 0 after success
 * @param createdAt when it was created
 * @param updatedAt when the row last changed
 * @param version optimistic-concurrency version, incremented by every update
 */
public record Workspace(
        String id,
        String name,
        String owner,
        String template,
        String providerType,
        WorkspaceParameters parameters,
        SshHostKey hostKey,
        DesiredState desired,
        Phase phase,
        String reason,
        String sshHost,
        int sshPort,
        boolean restartPending,
        int failures,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    public Workspace {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(providerType, "providerType");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(hostKey, "hostKey");
        Objects.requireNonNull(desired, "desired");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        reason = reason == null ? "" : reason;
        sshHost = sshHost == null ? "" : sshHost;
    }

    /** @return a copy with a new desired state, touched at {@code now} */
    public Workspace withDesired(DesiredState d, Instant now) {
        return new Workspace(
                id,
                name,
                owner,
                template,
                providerType,
                parameters,
                hostKey,
                d,
                phase,
                reason,
                sshHost,
                sshPort,
                restartPending,
                failures,
                createdAt,
                now,
                version);
    }

    /** @return a copy with a new phase and reason, touched at {@code now}; the SSH endpoint is kept */
    public Workspace withPhase(Phase p, String why, Instant now) {
        return new Workspace(
                id,
                name,
                owner,
                template,
                providerType,
                parameters,
                hostKey,
                desired,
                p,
                why,
                sshHost,
                sshPort,
                restartPending,
                failures,
                createdAt,
                now,
                version);
    }

    /** @return a copy with the SSH endpoint set ({@code ""}/0 to clear) */
    public Workspace withSsh(String host, int port) {
        return new Workspace(
                id,
                name,
                owner,
                template,
                providerType,
                parameters,
                hostKey,
                desired,
                phase,
                reason,
                host,
                port,
                restartPending,
                failures,
                createdAt,
                updatedAt,
                version);
    }

    /** @return a copy with the restart flag set or cleared */
    public Workspace withRestartPending(boolean pending) {
        return new Workspace(
                id,
                name,
                owner,
                template,
                providerType,
                parameters,
                hostKey,
                desired,
                phase,
                reason,
                sshHost,
                sshPort,
                pending,
                failures,
                createdAt,
                updatedAt,
                version);
    }

    /** @return a copy with the consecutive-failure count set */
    public Workspace withFailures(int n) {
        return new Workspace(
                id,
                name,
                owner,
                template,
                providerType,
                parameters,
                hostKey,
                desired,
                phase,
                reason,
                sshHost,
                sshPort,
                restartPending,
                n,
                createdAt,
                updatedAt,
                version);
    }

    /** @return a copy carrying {@code v} as its version (used by stores after a write) */
    public Workspace withVersion(long v) {
        return new Workspace(
                id,
                name,
                owner,
                template,
                providerType,
                parameters,
                hostKey,
                desired,
                phase,
                reason,
                sshHost,
                sshPort,
                restartPending,
                failures,
                createdAt,
                updatedAt,
                v);
    }
}
