package dev.hangar.core.reconcile;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceReset;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * A provider whose answers a test scripts: {@code observe} returns the current observation
 * ({@link #observing}); each {@code apply} and {@code delete} takes the next scripted answer (an
 * observation, or an exception to throw), falling back to a default. Every call is recorded as
 * {@code method[:POWER]}. For one test thread.
 */
final class ScriptedProvider implements WorkspaceProvider {
    static final String TYPE = "scripted";

    private Observation observed = new Observation.Absent();
    private final Deque<Supplier<Observation>> applies = new ArrayDeque<>();
    private Supplier<Observation> applyDefault = () -> observed;
    private final Deque<Supplier<Observation>> deletes = new ArrayDeque<>();
    private final List<String> calls = new ArrayList<>();
    private int observeFailures;
    private ProviderListener lastListener = ProviderListener.NONE;

    @Override
    public String type() {
        return TYPE;
    }

    /** Makes {@code observe} report {@code o} from now on. */
    ScriptedProvider observing(Observation o) {
        observed = o;
        return this;
    }

    /** The next apply returns {@code o} (and later observes report it). */
    ScriptedProvider thenApply(Observation o) {
        applies.add(() -> {
            observed = o;
            return o;
        });
        return this;
    }

    /** The next {@code n} applies throw a {@link ProviderException}. */
    ScriptedProvider thenFail(int n, boolean permanent, String message) {
        for (int i = 0; i < n; i++)
            applies.add(() -> {
                throw new ProviderException(message, permanent);
            });
        return this;
    }

    /** The next apply runs {@code action} first (e.g. a user changing the workspace meanwhile). */
    ScriptedProvider thenApplyAfter(Runnable action, Observation o) {
        applies.add(() -> {
            action.run();
            observed = o;
            return o;
        });
        return this;
    }

    /** Every apply without a scripted answer returns {@code o}. */
    ScriptedProvider applyingByDefault(Observation o) {
        applyDefault = () -> {
            observed = o;
            return o;
        };
        return this;
    }

    /** The next delete returns {@code o}. */
    ScriptedProvider thenDelete(Observation o) {
        deletes.add(() -> o);
        return this;
    }

    /** The next {@code n} deletes throw a transient {@link ProviderException}. */
    ScriptedProvider thenFailDelete(int n, String message) {
        for (int i = 0; i < n; i++)
            deletes.add(() -> {
                throw new ProviderException(message, false);
            });
        return this;
    }

    private boolean resettable;
    private int resetsThenDie;

    /** Offers {@link WorkspaceReset}: a reset leaves the workspace stopped with a fresh disk. */
    ScriptedProvider resettable() {
        resettable = true;
        return this;
    }

    /**
     * The next {@code n} resets do their work and then kill the pass with {@link ControlPlaneDied}
     * (standing in for a control plane that dies before recording the reset).
     */
    ScriptedProvider dyingAfterReset(int n) {
        resetsThenDie = n;
        return this;
    }

    /** An error no pass catches: the process "died" here. */
    static final class ControlPlaneDied extends Error {
        ControlPlaneDied() {
            super("control plane killed after the provider's reset");
        }
    }

    @Override
    public java.util.Optional<WorkspaceReset> reset() {
        return resettable ? java.util.Optional.of(this::doReset) : java.util.Optional.empty();
    }

    private Observation doReset(WorkspaceSpec spec, ProviderListener listener) {
        calls.add("reset");
        if (!(observed instanceof Observation.Absent)) observed = new Observation.Stopped("fresh disk");
        if (resetsThenDie > 0) {
            resetsThenDie--;
            throw new ControlPlaneDied();
        }
        return observed;
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    long applies() {
        return calls.stream().filter(c -> c.startsWith("apply")).count();
    }

    private volatile WorkspaceSpec lastSpec;

    /** @return the spec of the last observe or apply, if any */
    java.util.Optional<WorkspaceSpec> lastSpec() {
        return java.util.Optional.ofNullable(lastSpec);
    }

    /** @return the listener of the last {@code apply}, as a provider's background watcher keeps it */
    ProviderListener lastListener() {
        return lastListener;
    }

    /** The next {@code n} observes throw a transient {@link ProviderException}. */
    ScriptedProvider failingObserve(int n) {
        observeFailures = n;
        return this;
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        lastSpec = spec;
        calls.add("observe");
        if (observeFailures > 0) {
            observeFailures--;
            throw new ProviderException("cannot reach the API server", false);
        }
        return observed;
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        lastSpec = spec;
        calls.add("apply:" + desired);
        lastListener = listener;
        Supplier<Observation> next = applies.isEmpty() ? applyDefault : applies.poll();
        return next.get();
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        calls.add("delete");
        Observation o =
                deletes.isEmpty() ? new Observation.Absent() : deletes.poll().get();
        observed = o;
        return o;
    }
}
