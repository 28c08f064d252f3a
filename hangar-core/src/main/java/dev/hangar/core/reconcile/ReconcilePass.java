package dev.hangar.core.reconcile;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Lifecycle;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ResetGenerations;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.secret.SecretFiles;
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
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
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
 * generation done before converging as usual ({@link ResetStep}).
 *
 * <p>Its parts: {@link PassClaim} (the fence), {@link PassWrites} (row and phase event in one
 * transaction), {@link ResetStep} and {@link PassFailure}.
 *
 * <p>Thread-safe, but the caller must not run two passes for one workspace at once.
 */
public final class ReconcilePass {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcilePass.class);

    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final HostCertificateAuthority hostCa;
    private final Clock clock;
    private final WorkspaceReconciler.Settings settings;
    private final ReconcilerMetrics metrics;
    private final SecretFiles secrets;
    private final PassClaim claim;
    private final PassWrites writes;
    private final ResetStep resetStep;
    private final PassFailure failure;
    private final Consumer<String> nudge;

    /**
     * A pass that runs only under {@code fence}: it claims the workspace in the store before it
     * reads it, renews the claim before each provider call that changes something ({@code apply},
     * {@code delete}, {@code reset}) and releases it at the end; when the claim is held by another
     * replica, or the fence says this replica no longer leads, the pass makes no such call.
     *
     * @param secrets the owners' decrypted secrets, read only for an {@link WorkspaceProvider#apply}
     *     towards RUNNING and for a reset (observe, stop and delete get a spec without them), so
     *     values are decrypted when a workspace starts and not on every resync; {@link
     *     SecretFiles#NONE} delivers none
     * @param fence {@link ReconcileFence#local()} for a single server
     */
    public ReconcilePass(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            WorkspaceReconciler.Settings settings,
            ReconcilerMetrics metrics,
            SecretFiles secrets,
            ReconcileFence fence) {
        this(store, templates, providers, hostCa, clock, settings, metrics, secrets, fence, id -> {});
    }

    /**
     * As the constructor above, plus what a provider's {@link ProviderListener#changed()} does:
     * {@code nudge} gets the workspace id and should schedule a pass for it soon (the reconciler's
     * {@link WorkspaceReconciler#enqueue}); it must not block.
     */
    public ReconcilePass(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            WorkspaceReconciler.Settings settings,
            ReconcilerMetrics metrics,
            SecretFiles secrets,
            ReconcileFence fence,
            Consumer<String> nudge) {
        this.nudge = Objects.requireNonNull(nudge, "nudge");
        this.store = store;
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.templates = templates;
        this.providers = providers;
        this.hostCa = Objects.requireNonNull(hostCa, "hostCa");
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.claim = new PassClaim(store, clock, Objects.requireNonNull(fence, "fence"));
        this.writes = new PassWrites(store, clock);
        this.resetStep = new ResetStep(store, writes, claim, secrets, settings.pollInterval());
        this.failure = new PassFailure(store, writes, clock, settings, metrics);
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
        if (!claim.active()) return Optional.empty();
        if (!claim.claim(id)) {
            LOG.debug("workspace {} is claimed by another replica; trying again later", id);
            return Optional.of(settings.pollInterval());
        }
        try {
            return runClaimed(id);
        } catch (PassClaim.Fenced e) {
            LOG.info("reconcile pass for workspace {} stopped before a provider call: {}", id, e.getMessage());
            return Optional.empty();
        } finally {
            try {
                claim.release(id);
            } catch (RuntimeException e) {
                LOG.warn("could not release the reconcile claim on {} (it lapses on its own): {}", id, e.getMessage());
            }
        }
    }

    private Optional<Duration> runClaimed(String id) {
        Optional<Workspace> found = store.workspaces().find(id);
        if (found.isEmpty()) return Optional.empty();
        Workspace w = found.get();
        Instant started = clock.instant();
        Optional<WorkspaceProvider> provider = providers.find(w.providerType());
        if (provider.isEmpty()) {
            writes.save(
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
        ProviderListener listener = new EventListener(store, clock, metrics, w.id(), w.providerType(), nudge);
        try {
            Optional<Duration> next =
                    w.desired() == DesiredState.DELETED ? delete(w, p, spec, listener) : converge(w, p, spec, listener);
            metrics.pass(w.providerType(), "ok", Duration.between(started, clock.instant()));
            return next;
        } catch (PassClaim.Fenced e) {
            throw e;
        } catch (StaleVersionException e) {
            return Optional.of(Duration.ZERO); // the user changed it meanwhile: re-read and go again
        } catch (NotFoundException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (ProviderException e) {
            return failure.record(id, w.providerType(), started, e.getMessage(), e.permanent());
        } catch (RuntimeException e) {
            LOG.warn("reconcile of workspace {} failed", id, e);
            return failure.record(
                    id, w.providerType(), started, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
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
            w = writes.save(w, w.withPhase(Phase.Deleting, "", now()).withSsh("", 0));
        claim.check(w.id());
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
        if (resets.pending()) return resetStep.run(w, p, spec, listener, resets.requested());
        Phase before = w.phase();
        PowerState target = w.desired() == DesiredState.RUNNING ? PowerState.RUNNING : PowerState.STOPPED;
        if (w.restartPending()) {
            if (w.phase() == Phase.Stopped) {
                w = writes.save(w, w.withRestartPending(false));
            } else {
                target = PowerState.STOPPED;
            }
        }
        if (w.phase() == Phase.Pending) w = writes.save(w, w.withPhase(Phase.Provisioning, "", now()));
        Observation seen = p.observe(spec);
        boolean apply = needsApply(target, w.phase(), seen);
        if (apply) claim.check(w.id());
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
        w = writes.save(w, next.withFailures(settled || progressed ? 0 : w.failures()));
        if (w.restartPending() && w.phase() == Phase.Stopped) return Optional.of(Duration.ZERO);
        return settled || w.phase() == Phase.Failed ? Optional.empty() : Optional.of(settings.pollInterval());
    }

    /** @return {@code spec} with the owner's secrets when starting (read now, so a start delivers the current ones) */
    private WorkspaceSpec forApply(WorkspaceSpec spec, PowerState target) {
        return target == PowerState.RUNNING ? spec.withSecrets(secrets.files(spec.owner())) : spec;
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
        return writes.now();
    }
}
