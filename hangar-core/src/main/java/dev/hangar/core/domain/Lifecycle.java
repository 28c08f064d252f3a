package dev.hangar.core.domain;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The workspace lifecycle: which observed phase may follow which, and which user actions each
 * phase accepts. Pure and thread-safe; tested exhaustively over every pair.
 *
 * <p>Any phase may move to {@link Phase#Failed} or {@link Phase#Deleting}. A phase never moves to
 * {@link Phase#Pending} (only a new workspace starts there), and {@link Phase#Deleting} only ends
 * by the row being removed, or in {@link Phase#Failed} when a delete step fails.
 */
public final class Lifecycle {

    /** What a user (through the API) may ask of a workspace. */
    public enum Action {
        START,
        STOP,
        RESTART,
        DELETE
    }

    private static final Map<Phase, Set<Phase>> NEXT = new EnumMap<>(Phase.class);

    static {
        NEXT.put(Phase.Pending, EnumSet.of(Phase.Provisioning, Phase.Stopped));
        NEXT.put(Phase.Provisioning, EnumSet.of(Phase.Starting, Phase.Running, Phase.Stopped));
        NEXT.put(Phase.Starting, EnumSet.of(Phase.Running, Phase.Stopping, Phase.Stopped));
        NEXT.put(Phase.Running, EnumSet.of(Phase.Starting, Phase.Stopping, Phase.Stopped));
        NEXT.put(Phase.Stopping, EnumSet.of(Phase.Stopped, Phase.Starting, Phase.Running));
        NEXT.put(Phase.Stopped, EnumSet.of(Phase.Provisioning, Phase.Starting, Phase.Running, Phase.Stopping));
        NEXT.put(Phase.Deleting, EnumSet.noneOf(Phase.class));
        NEXT.put(
                Phase.Failed,
                EnumSet.of(Phase.Provisioning, Phase.Starting, Phase.Running, Phase.Stopping, Phase.Stopped));
        for (Phase p : Phase.values()) {
            if (p != Phase.Deleting) NEXT.get(p).add(Phase.Deleting);
            NEXT.get(p).add(Phase.Failed);
        }
    }

    private Lifecycle() {}

    /** @return true when the reconciler may record {@code to} after {@code from}; staying in a phase is always allowed */
    public static boolean canTransition(Phase from, Phase to) {
        return from == to || NEXT.get(from).contains(to);
    }

    /**
     * @throws IllegalStateException when the transition is not allowed (a bug in the reconciler,
     *     not a user error)
     */
    public static void checkTransition(Phase from, Phase to) {
        if (!canTransition(from, to)) throw new IllegalStateException("phase " + from + " cannot move to " + to);
    }

    /**
     * Checks that a user action is accepted by a workspace in {@code phase} whose desired state is
     * {@code desired}. A workspace being deleted accepts only DELETE (idempotent); RESTART needs a
     * workspace that should be running.
     *
     * @throws LifecycleConflictException (HTTP 409) naming the phase and what to do instead
     */
    public static void checkAction(Action action, Phase phase, DesiredState desired) {
        if (desired == DesiredState.DELETED || phase == Phase.Deleting) {
            if (action != Action.DELETE)
                throw new LifecycleConflictException("the workspace is being deleted; it cannot " + verb(action));
            return;
        }
        if (action == Action.RESTART && desired != DesiredState.RUNNING) {
            throw new LifecycleConflictException(
                    "the workspace is stopped (phase " + phase + "); use start instead of restart");
        }
    }

    private static String verb(Action a) {
        return a.name().toLowerCase(java.util.Locale.ROOT);
    }
}
