package dev.hangar.core.reconcile;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Lifecycle;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ResetGenerations;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass for one workspace: read it from the store, observe it through its provider,
 * decide, apply or delete, and save what was seen (with a {@code phase} event when the phase
 * changed). Knows nothing of queues, threads or timers; {@link ReconcileQueue} decides when a pass
 * runs.
 *
 * <p><b>Observe, then act</b> (docs/adr/0009-observe-before-apply.md). A pass for a workspace
 * that should exist calls {@link WorkspaceProvider#observe} first and calls {@link
 * WorkspaceProvider#apply} only when {@link #needsApply} says so: when the observation is not the
 * desired power state, and once more when the desired state is first observed (the arrival
 * apply). A workspace that is and was already at its desired state is only observed.
 *
 * <p><b>Failures.</b> {@link Workspace#failures()} counts consecutive failed passes (a provider
 * call that threw). A pass that records a new phase other than Failed, or the desired state, is
 * progress and resets the count; a pass that merely sees the same unsettled phase again (still
 * downloading, still starting) keeps it. The next pass after a failure runs after {@link
 * WorkspaceReconciler.Settings#backoff(int)}; when the count reaches {@link
 * WorkspaceReconciler.Settings#maxAttempts()} the workspace goes {@link Phase#Failed} with the last
 * reason. Deletes, and workspaces recorded at their desired state (whose observation failed, e.g.
 * during an outage of the provider's API), are retried without bound. A permanent {@link
 * ProviderException} fails at once.
 *
 * <p><b>Reset.</b> While the store holds a pending reset ({@link ResetGenerations#pending()}) for a
 * workspace that should exist, the pass stops it, calls the provider's reset and records the
 * generation done before converging as usual (see {@code reset}).
 *
 * <p>Thread-safe, but the caller must not run two passes for one workspace at once.
 */
public final class ReconcilePass {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcilePass.class);
    private static final int SAVE_ATTEMPTS = 3;

    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final HostCertificateAuthority hostCa;
    private final Clock clock;
    private final WorkspaceReconciler.Settings settings;
    private final ReconcilerMetrics metrics;
    private final dev.hangar.core.secret.SecretFiles secrets;
    private final ReconcileFence fence;

    /** A pass that delivers no secrets. */
    public ReconcilePass(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            WorkspaceReconciler.Settings settings,
            ReconcilerMetrics metrics) {
        this(store, templates, providers, hostCa, clock, settings, metrics, dev.hangar.core.secret.SecretFiles.NONE);
    }

    /**
     * @param secrets the owners' decrypted secrets, read only for an {@link WorkspaceProvider#apply}
     *     towards RUNNING (observe, stop and delete get a spec without them), so values are decrypted
     *     when a workspace starts and not on every resync
     */
    public ReconcilePass(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            WorkspaceReconciler.Settings settings,
            ReconcilerMetrics metrics,
            dev.hangar.core.secret.SecretFiles secrets) {
        this(store, templates, providers, hostCa, clock, settings, metrics, secrets, ReconcileFence.local());
    }

    /**
     * A pass that runs only under {@code fence}: it claims the workspace in the store before it
     * reads it, renews the claim before each provider call that changes something ({@code apply},
     * {@code delete}, {@code reset}) and releases it at the end; when the claim is held by another
     * replica, or the fence says this replica no longer leads, the pass makes no such call.
     */
    public ReconcilePass(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            WorkspaceReconciler.Settings settings,
            ReconcilerMetrics metrics,
            dev.hangar.core.secret.SecretFiles secrets,
            ReconcileFence fence) {
        this.store = store;
        this.fence = Objects.requireNonNull(fence, "fence");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.templates = templates;
        this.providers = providers;
        this.hostCa = Objects.requireNonNull(hostCa, "hostCa");
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * Runs one pass for the workspace, synchronously. Provider errors do not escape: they are
     * recorded on the workspace (reason, {@code error} event, failure count).
     *
     * <p>Under the fence (see the constructor): a replica that does not lead runs no pass (empty);
     * a workspace claimed by another replica is left to it and tried again after the poll interval.
     *
     * @return when to run the next pass (still converging, or retrying after a transient error);
     *     empty when converged, Failed, or deleted
     */
    public Optional<Duration> run(String id) {
        if (!fence.active().getAsBoolean()) return Optional.empty();
        if (!claim(id)) {
            LOG.debug("workspace {} is claimed by another replica; trying again later", id);
            return Optional.of(settings.pollInterval());
        }
        try {
            return runClaimed(id);
        } catch (Fenced e) {
            LOG.info("reconcile pass for workspace {} stopped before a provider call: {}", id, e.getMessage());
            return Optional.empty();
        } finally {
            try {
                store.claims().release(id, fence.holder());
            } catch (RuntimeException e) {
                LOG.warn("could not release the reconcile claim on {} (it lapses on its own): {}", id, e.getMessage());
            }
        }
    }

    private boolean claim(String id) {
        Instant now = clock.instant();
        return store.claims().claim(id, fence.holder(), fence.epoch().getAsLong(), now, now.plus(fence.claimTtl()));
    }

    /**
     * Called right before a provider call that changes something.
     *
     * @throws Fenced when this replica stopped leading or lost the workspace's claim
     */
    private void fenced(String id) {
        if (!fence.active().getAsBoolean()) throw new Fenced("this replica no longer leads");
        if (!claim(id)) throw new Fenced("another replica claimed the workspace");
    }

    /** The pass must not go on: it makes no further provider call and saves nothing more. */
    private static final class Fenced extends RuntimeException {
        Fenced(String message) {
            super(message, null, false, false);
        }
    }

    private Optional<Duration> runClaimed(String id) {
        Optional<Workspace> found = store.workspaces().find(id);
        if (found.isEmpty()) return Optional.empty();
        Workspace w = found.get();
        Instant started = clock.instant();
        Optional<WorkspaceProvider> provider = providers.find(w.providerType());
        if (provider.isEmpty()) {
            save(
                    w,
                    w.withPhase(
                            Phase.Failed,
                            "provider '" + w.providerType() + "' is not enabled on this server; registered: "
                                    + providers.types(),
                            now()));
            return Optional.empty();
        }
        WorkspaceProvider p = provider.get();
        // A lab member's spec carries its lab network, so a VM provider gives it the lab NIC.
        WorkspaceSpec spec = WorkspaceSpecs.of(
                w,
                templates.find(w.template()),
                store.users().keys(w.owner()),
                hostCa,
                store.labs().findByWorkspace(w.id()));
        ProviderListener listener = new EventListener(store, clock, metrics, w.id(), w.providerType());
        try {
            Optional<Duration> next =
                    w.desired() == DesiredState.DELETED ? delete(w, p, spec, listener) : converge(w, p, spec, listener);
            metrics.pass(w.providerType(), "ok", Duration.between(started, clock.instant()));
            return next;
        } catch (Fenced e) {
            throw e;
        } catch (StaleVersionException e) {
            return Optional.of(Duration.ZERO); // the user changed it meanwhile: re-read and go again
        } catch (NotFoundException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (ProviderException e) {
            return failed(id, w.providerType(), started, e.getMessage(), e.permanent());
        } catch (RuntimeException e) {
            LOG.warn("reconcile of workspace {} failed", id, e);
            return failed(id, w.providerType(), started, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
        }
    }

    /**
     * The decision of a pass for a workspace that should exist.
     *
     * @param target the power state the workspace should reach
     * @param recorded the phase stored before this observation
     * @param seen what {@link WorkspaceProvider#observe} reported
     * @return false only when {@code seen} is {@code target} and {@code recorded} already says so
     *     (steady state: nothing to do); true otherwise, including the first pass that sees the
     *     target reached (the arrival apply lets the provider finish what belongs to the transition)
     */
    static boolean needsApply(PowerState target, Phase recorded, Observation seen) {
        boolean atTarget = switch (seen) {
            case Observation.Running r -> target == PowerState.RUNNING;
            case Observation.Stopped s -> target == PowerState.STOPPED;
            default -> false;
        };
        return !atTarget || phaseOf(seen) != recorded;
    }

    private Optional<Duration> delete(Workspace w, WorkspaceProvider p, WorkspaceSpec spec, ProviderListener listener) {
        if (w.phase() != Phase.Deleting)
            w = save(w, w.withPhase(Phase.Deleting, "", now()).withSsh("", 0));
        fenced(w.id());
        Observation obs = p.delete(spec, listener);
        if (obs instanceof Observation.Absent) {
            store.workspaces().delete(w.id(), w.version());
            LOG.info("workspace {} ({}/{}) deleted", w.id(), w.owner(), w.name());
            return Optional.empty();
        }
        return Optional.of(settings.pollInterval());
    }

    private Optional<Duration> converge(
            Workspace w, WorkspaceProvider p, WorkspaceSpec spec, ProviderListener listener) {
        if (w.phase() == Phase.Failed) return Optional.empty(); // waits for a user action
        ResetGenerations resets = store.resets().find(w.id());
        if (resets.pending()) return reset(w, p, spec, listener, resets.requested());
        Phase before = w.phase();
        PowerState target = w.desired() == DesiredState.RUNNING ? PowerState.RUNNING : PowerState.STOPPED;
        if (w.restartPending()) {
            if (w.phase() == Phase.Stopped) {
                w = save(w, w.withRestartPending(false));
            } else {
                target = PowerState.STOPPED;
            }
        }
        if (w.phase() == Phase.Pending) w = save(w, w.withPhase(Phase.Provisioning, "", now()));
        Observation seen = p.observe(spec);
        boolean apply = needsApply(target, w.phase(), seen);
        if (apply) fenced(w.id());
        Observation obs = apply ? p.apply(forApply(spec, target), target, listener) : seen;
        Phase observed = phaseOf(obs);
        // An auto-stop keeps its reason (before the provider's detail) until the workspace is started again.
        String autostop = dev.hangar.core.autostop.Autostop.REASON;
        String detail = target == PowerState.STOPPED && w.reason().startsWith(autostop)
                ? (obs.detail().isEmpty() || obs.detail().startsWith(autostop)
                        ? autostop
                        : autostop + ": " + obs.detail())
                : obs.detail();
        Workspace next = Lifecycle.canTransition(w.phase(), observed)
                ? w.withPhase(observed, detail, now())
                : w.withPhase(
                        Phase.Failed,
                        "unexpected observation " + observed + " in phase " + w.phase() + ": " + obs.detail(),
                        now());
        next = obs instanceof Observation.Running r
                ? next.withSsh(r.ssh().host(), r.ssh().port())
                : next.withSsh("", 0);
        boolean settled = (target == PowerState.RUNNING && next.phase() == Phase.Running)
                || (target == PowerState.STOPPED && next.phase() == Phase.Stopped);
        boolean progressed = next.phase() != before && next.phase() != Phase.Failed;
        w = save(w, next.withFailures(settled || progressed ? 0 : w.failures()));
        if (w.restartPending() && w.phase() == Phase.Stopped) return Optional.of(Duration.ZERO);
        return settled || w.phase() == Phase.Failed ? Optional.empty() : Optional.of(settings.pollInterval());
    }

    /**
     * Carries out a requested reset (issue #13, item 5), one step per pass: stop the workspace if it
     * is not stopped (passes repeat until the provider observes it stopped), then call the
     * provider's {@link dev.hangar.provider.spi.WorkspaceReset}, then record {@code generation} as
     * done in the same transaction as the workspace's new phase and the {@code reset completed}
     * event. The next pass (due at once) converges to the desired state as usual, so a workspace
     * meant to run is started again. A server that dies after the provider's reset and before the
     * record resets again at its next pass: the provider's reset is idempotent.
     *
     * @param generation the requested generation this reset carries out
     */
    private Optional<Duration> reset(
            Workspace w, WorkspaceProvider p, WorkspaceSpec spec, ProviderListener listener, long generation) {
        Optional<dev.hangar.provider.spi.WorkspaceReset> capability = p.reset();
        if (capability.isEmpty()) {
            // The API refuses resets of such kinds; this is a provider reconfigured meanwhile.
            Workspace cur = w;
            store.inTransaction(tx -> {
                tx.resets().complete(cur.id(), generation);
                tx.events()
                        .append(event(
                                cur,
                                "error",
                                "reset skipped: provider '" + cur.providerType() + "' cannot reset workspaces"));
                return null;
            });
            return Optional.of(Duration.ZERO);
        }
        Observation seen = p.observe(spec);
        if (!(seen instanceof Observation.Stopped || seen instanceof Observation.Absent)) {
            fenced(w.id());
            Observation obs = p.apply(spec, PowerState.STOPPED, listener); // idempotent, as in converge
            Phase observed = phaseOf(obs);
            Workspace next = Lifecycle.canTransition(w.phase(), observed)
                    ? w.withPhase(observed, RESETTING, now()).withSsh("", 0)
                    : w.withPhase(Phase.Stopping, RESETTING, now()).withSsh("", 0);
            w = save(w, next);
            if (!(obs instanceof Observation.Stopped)) return Optional.of(settings.pollInterval());
        }
        Workspace stopped = w;
        store.events().append(event(stopped, "reset", "reset started (generation " + generation + ")"));
        // The reset writes the seed of the next first boot: it carries the owner's secrets, as a start's does.
        fenced(stopped.id());
        Observation after = capability.get().reset(spec.withSecrets(secrets.files(spec.owner())), listener);
        Phase observed = phaseOf(after);
        Workspace next = (Lifecycle.canTransition(stopped.phase(), observed)
                        ? stopped.withPhase(observed, after.detail(), now())
                        : stopped.withPhase(Phase.Stopped, after.detail(), now()))
                .withSsh("", 0)
                .withFailures(0);
        store.inTransaction(tx -> {
            tx.resets().complete(stopped.id(), generation);
            if (!next.equals(stopped)) {
                tx.workspaces().update(next);
                if (stopped.phase() != next.phase()) appendPhaseEvent(tx, stopped, next);
            }
            tx.events().append(event(stopped, "reset", "reset completed (generation " + generation + ")"));
            return null;
        });
        return Optional.of(Duration.ZERO);
    }

    /** The reason recorded while a workspace is stopped for a reset. */
    static final String RESETTING = "stopping for a reset";

    private WorkspaceEvent event(Workspace w, String type, String message) {
        return new WorkspaceEvent(0, w.id(), now(), WorkspaceEvent.SYSTEM, type, message);
    }

    /** @return {@code spec} with the owner's secrets when starting (read now, so a start delivers the current ones) */
    private WorkspaceSpec forApply(WorkspaceSpec spec, PowerState target) {
        return target == PowerState.RUNNING ? spec.withSecrets(secrets.files(spec.owner())) : spec;
    }

    private Optional<Duration> failed(
            String id, String providerType, Instant started, String message, boolean permanent) {
        String msg = message == null || message.isBlank() ? "unknown error" : message;
        for (int attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
            Optional<Workspace> cur = store.workspaces().find(id);
            if (cur.isEmpty()) return Optional.empty();
            Workspace w = cur.get();
            int failures = w.failures() + 1;
            // The bound is for converging: a provider that cannot even be read (an API outage)
            // must not fail a workspace that is recorded at its desired state, nor stop a delete.
            boolean atDesired = (w.desired() == DesiredState.RUNNING && w.phase() == Phase.Running)
                    || (w.desired() == DesiredState.STOPPED && w.phase() == Phase.Stopped);
            boolean exhausted = !permanent
                    && failures >= settings.maxAttempts()
                    && w.desired() != DesiredState.DELETED
                    && !atDesired;
            String reason = exhausted ? "gave up after " + failures + " attempts: " + msg : msg;
            Workspace next = w.withPhase(permanent || exhausted ? Phase.Failed : w.phase(), reason, now())
                    .withFailures(failures);
            String event = permanent
                    ? "failed: " + msg
                    : exhausted
                            ? "failed after " + failures + " attempts: " + msg
                            : "will retry (attempt " + failures + "): " + msg;
            try {
                store.inTransaction(tx -> {
                    tx.workspaces().update(next);
                    tx.events().append(new WorkspaceEvent(0, id, now(), WorkspaceEvent.SYSTEM, "error", event));
                    if (w.phase() != next.phase()) appendPhaseEvent(tx, w, next);
                    return null;
                });
            } catch (StaleVersionException e) {
                continue;
            } catch (NotFoundException e) {
                return Optional.empty();
            }
            metrics.pass(
                    providerType,
                    permanent || exhausted ? "failed" : "retry",
                    Duration.between(started, clock.instant()));
            if (permanent || exhausted) return Optional.empty();
            return Optional.of(settings.backoff(failures));
        }
        metrics.pass(providerType, "retry", Duration.between(started, clock.instant()));
        return Optional.of(settings.baseBackoff());
    }

    /** Stores {@code next} (if it differs) with a {@code phase} event when the phase changed. */
    private Workspace save(Workspace prev, Workspace next) {
        // A pass that observed nothing new only touched updatedAt: no write, no version bump.
        if (prev.withPhase(prev.phase(), prev.reason(), next.updatedAt()).equals(next)) return prev;
        return store.inTransaction(tx -> {
            Workspace s = tx.workspaces().update(next);
            if (prev.phase() != next.phase()) appendPhaseEvent(tx, prev, next);
            return s;
        });
    }

    private void appendPhaseEvent(Store tx, Workspace prev, Workspace next) {
        String why = next.reason().isEmpty() ? "" : ": " + next.reason();
        tx.events()
                .append(new WorkspaceEvent(
                        0,
                        prev.id(),
                        now(),
                        WorkspaceEvent.SYSTEM,
                        "phase",
                        prev.phase() + " -> " + next.phase() + why));
    }

    /** @return the phase that records {@code obs} */
    static Phase phaseOf(Observation obs) {
        return switch (obs) {
            case Observation.Absent a -> Phase.Provisioning;
            case Observation.Stopped s -> Phase.Stopped;
            case Observation.Starting s -> Phase.Starting;
            case Observation.Running r -> Phase.Running;
            case Observation.Stopping s -> Phase.Stopping;
            case Observation.Failed f -> Phase.Failed;
        };
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
