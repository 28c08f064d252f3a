package dev.hangar.core.domain;

import dev.hangar.provider.spi.SshHostKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One workspace as stored: what the user asked for ({@link Spec}), what the reconciler last
 * observed ({@link Status}), and bookkeeping. Immutable; changes produce a new value through the
 * {@code with*} methods, and the store accepts an update only if {@link #version()} still matches
 * (optimistic concurrency). The read accessors of both parts ({@link #name()}, {@link #phase()},
 * ...) are repeated here so callers need not know which part holds a field.
 *
 * @param id immutable UUID string
 * @param spec what the user asked for
 * @param status what the reconciler last observed
 * @param createdAt when it was created
 * @param updatedAt when the row last changed
 * @param version optimistic-concurrency version, incremented by every update
 */
public record Workspace(String id, Spec spec, Status status, Instant createdAt, Instant updatedAt, long version) {

    /**
     * What the user asked for.
     *
     * @param name DNS-1123 label, unique per owner
     * @param owner the owning user's name
     * @param template the template it was created from
     * @param providerType the provider that runs it, e.g. {@code qemu}
     * @param parameters sizes and image
     * @param hostKey the SSH host key Hangar generated for it (its private half is a secret)
     * @param desired what the user asked for
     */
    public record Spec(
            String name,
            String owner,
            String template,
            String providerType,
            WorkspaceParameters parameters,
            SshHostKey hostKey,
            DesiredState desired) {
        public Spec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(providerType, "providerType");
            Objects.requireNonNull(parameters, "parameters");
            Objects.requireNonNull(hostKey, "hostKey");
            Objects.requireNonNull(desired, "desired");
        }

        /** @return a copy with another desired state */
        public Spec withDesired(DesiredState d) {
            return new Spec(name, owner, template, providerType, parameters, hostKey, d);
        }
    }

    /**
     * What the reconciler last observed, and its bookkeeping.
     *
     * @param phase what the reconciler last observed
     * @param reason why it is in this phase (an error, a Kubernetes reason); empty when none
     * @param sshHost where the control plane reaches its sshd while Running; empty otherwise
     * @param sshPort that sshd's port while Running; 0 otherwise
     * @param restartPending true after a restart request until the workspace has been stopped once;
     *     the reconciler then starts it again (keeps restart level-triggered: it survives a server
     *     restart)
     * @param failures consecutive failed reconcile attempts, for exponential backoff and the attempt
     *     bound; reset by progress (see {@code ReconcilePass})
     */
    public record Status(
            Phase phase, String reason, String sshHost, int sshPort, boolean restartPending, int failures) {
        /** A new workspace's status: Pending, nothing observed yet. */
        public static final Status PENDING = new Status(Phase.Pending, "", "", 0, false, 0);

        public Status {
            Objects.requireNonNull(phase, "phase");
            reason = reason == null ? "" : reason;
            sshHost = sshHost == null ? "" : sshHost;
        }

        /** @return a copy with a new phase and reason; the SSH endpoint is kept */
        public Status withPhase(Phase p, String why) {
            return new Status(p, why, sshHost, sshPort, restartPending, failures);
        }

        /** @return a copy with the SSH endpoint set ({@code ""}/0 to clear) */
        public Status withSsh(String host, int port) {
            return new Status(phase, reason, host, port, restartPending, failures);
        }

        /** @return a copy with the restart flag set or cleared */
        public Status withRestartPending(boolean pending) {
            return new Status(phase, reason, sshHost, sshPort, pending, failures);
        }

        /** @return a copy with the consecutive-failure count set */
        public Status withFailures(int n) {
            return new Status(phase, reason, sshHost, sshPort, restartPending, n);
        }
    }

    public Workspace {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /**
     * The flat form, field by field (kept for callers written before the spec/status split; new
     * code passes a {@link Spec} and a {@link Status}).
     */
    public Workspace(
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
        this(
                id,
                new Spec(name, owner, template, providerType, parameters, hostKey, desired),
                new Status(phase, reason, sshHost, sshPort, restartPending, failures),
                createdAt,
                updatedAt,
                version);
    }

    /** @return the spec's name */
    public String name() {
        return spec.name();
    }

    /** @return the spec's owner */
    public String owner() {
        return spec.owner();
    }

    /** @return the spec's template */
    public String template() {
        return spec.template();
    }

    /** @return the spec's provider type */
    public String providerType() {
        return spec.providerType();
    }

    /** @return the spec's parameters */
    public WorkspaceParameters parameters() {
        return spec.parameters();
    }

    /** @return the spec's host key */
    public SshHostKey hostKey() {
        return spec.hostKey();
    }

    /** @return the spec's desired state */
    public DesiredState desired() {
        return spec.desired();
    }

    /** @return the status's phase */
    public Phase phase() {
        return status.phase();
    }

    /** @return the status's reason; empty when none */
    public String reason() {
        return status.reason();
    }

    /** @return the status's SSH host; empty unless Running */
    public String sshHost() {
        return status.sshHost();
    }

    /** @return the status's SSH port; 0 unless Running */
    public int sshPort() {
        return status.sshPort();
    }

    /** @return the status's restart flag */
    public boolean restartPending() {
        return status.restartPending();
    }

    /** @return the status's consecutive-failure count */
    public int failures() {
        return status.failures();
    }

    /** @return a copy with another spec, touched at {@code now} */
    public Workspace withSpec(Spec s, Instant now) {
        return new Workspace(id, s, status, createdAt, now, version);
    }

    /** @return a copy with another status (updatedAt unchanged) */
    public Workspace withStatus(Status s) {
        return new Workspace(id, spec, s, createdAt, updatedAt, version);
    }

    /** @return a copy with a new desired state, touched at {@code now} */
    public Workspace withDesired(DesiredState d, Instant now) {
        return withSpec(spec.withDesired(d), now);
    }

    /** @return a copy with a new phase and reason, touched at {@code now}; the SSH endpoint is kept */
    public Workspace withPhase(Phase p, String why, Instant now) {
        return new Workspace(id, spec, status.withPhase(p, why), createdAt, now, version);
    }

    /** @return a copy with the SSH endpoint set ({@code ""}/0 to clear) */
    public Workspace withSsh(String host, int port) {
        return withStatus(status.withSsh(host, port));
    }

    /** @return a copy with the restart flag set or cleared */
    public Workspace withRestartPending(boolean pending) {
        return withStatus(status.withRestartPending(pending));
    }

    /** @return a copy with the consecutive-failure count set */
    public Workspace withFailures(int n) {
        return withStatus(status.withFailures(n));
    }

    /** @return a copy carrying {@code v} as its version (used by stores after a write) */
    public Workspace withVersion(long v) {
        return new Workspace(id, spec, status, createdAt, updatedAt, v);
    }

    /** @return a copy with both instants replaced (used by stores to return the stored form) */
    public Workspace withTimes(Instant created, Instant updated) {
        return new Workspace(id, spec, status, created, updated, version);
    }
}
