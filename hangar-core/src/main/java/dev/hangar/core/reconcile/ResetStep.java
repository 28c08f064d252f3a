package dev.hangar.core.reconcile;

import dev.hangar.core.domain.Lifecycle;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.secret.SecretFiles;
import dev.hangar.core.store.Store;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceReset;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * Carries out a requested reset (issue #13, item 5), one step per pass: stop the workspace if it is
 * not stopped (passes repeat until the provider observes it stopped), then call the provider's
 * {@link WorkspaceReset}, then record the generation as done in the same transaction as the
 * workspace's new phase and the {@code reset completed} event. The next pass (due at once)
 * converges to the desired state as usual, so a workspace meant to run is started again. A server
 * that dies after the provider's reset and before the record resets again at its next pass: the
 * provider's reset is idempotent. Thread-safe; one step per workspace at a time (the pass's rule).
 */
final class ResetStep {
    /** The reason recorded while a workspace is stopped for a reset. */
    static final String RESETTING = "stopping for a reset";

    private final Store store;
    private final PassWrites writes;
    private final PassClaim claim;
    private final SecretFiles secrets;
    private final Duration pollInterval;

    ResetStep(Store store, PassWrites writes, PassClaim claim, SecretFiles secrets, Duration pollInterval) {
        this.store = store;
        this.writes = writes;
        this.claim = claim;
        this.secrets = secrets;
        this.pollInterval = pollInterval;
    }

    /**
     * @param generation the requested generation this reset carries out
     * @return when to run the next pass: the poll interval while stopping, else at once
     * @throws PassClaim.Fenced when the claim was lost before a provider call
     */
    Optional<Duration> run(
            Workspace current, WorkspaceProvider p, WorkspaceSpec spec, ProviderListener listener, long generation) {
        Workspace w = current;
        Optional<WorkspaceReset> capability = p.reset();
        if (capability.isEmpty()) {
            // The API refuses resets of such kinds; this is a provider reconfigured meanwhile.
            store.inTransaction(tx -> {
                tx.resets().complete(current.id(), generation);
                tx.events()
                        .append(writes.event(
                                current,
                                "error",
                                "reset skipped: provider '" + current.providerType() + "' cannot reset workspaces"));
                return null;
            });
            return Optional.of(Duration.ZERO);
        }
        Observation seen = p.observe(spec);
        if (!(seen instanceof Observation.Stopped || seen instanceof Observation.Absent)) {
            claim.check(w.id());
            Observation obs = p.apply(spec, PowerState.STOPPED, listener); // idempotent, as in converge
            Phase observed = ReconcilePass.phaseOf(obs);
            Workspace next = Lifecycle.canTransition(w.phase(), observed)
                    ? w.withPhase(observed, RESETTING, writes.now()).withSsh("", 0)
                    : w.withPhase(Phase.Stopping, RESETTING, writes.now()).withSsh("", 0);
            w = writes.save(w, next);
            if (!(obs instanceof Observation.Stopped)) return Optional.of(pollInterval);
        }
        Workspace stopped = w;
        store.events().append(writes.event(stopped, "reset", "reset started (generation " + generation + ")"));
        // The reset writes the seed of the next first boot: it carries the owner's secrets, as a start's does.
        claim.check(stopped.id());
        Observation after = capability.get().reset(spec.withSecrets(secrets.files(spec.owner())), listener);
        Phase observed = ReconcilePass.phaseOf(after);
        Workspace next = (Lifecycle.canTransition(stopped.phase(), observed)
                        ? stopped.withPhase(observed, after.detail(), writes.now())
                        : stopped.withPhase(Phase.Stopped, after.detail(), writes.now()))
                .withSsh("", 0)
                .withFailures(0);
        store.inTransaction(tx -> {
            tx.resets().complete(stopped.id(), generation);
            if (!next.equals(stopped)) {
                tx.workspaces().update(next);
                if (stopped.phase() != next.phase()) writes.appendPhaseEvent(tx, stopped, next);
            }
            tx.events().append(writes.event(stopped, "reset", "reset completed (generation " + generation + ")"));
            return null;
        });
        return Optional.of(Duration.ZERO);
    }
}
