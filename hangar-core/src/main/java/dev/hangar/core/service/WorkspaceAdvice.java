package dev.hangar.core.service;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import java.util.Set;

/**
 * What to tell a user about a workspace that cannot be reached now, in one wording for the
 * console and the SSH gateway: "is starting" while it is on its way to Running, else "start it".
 * Pure; thread-safe.
 */
public final class WorkspaceAdvice {
    private static final Set<Phase> BEFORE_RUNNING = Set.of(Phase.Pending, Phase.Provisioning, Phase.Starting);

    private WorkspaceAdvice() {}

    /** @return whether the workspace is on its way to Running: desired running, phase Pending, Provisioning or Starting */
    public static boolean starting(Workspace w) {
        return starting(w.phase(), w.desired());
    }

    /** @return whether a workspace in {@code phase} that should be {@code desired} is on its way to Running */
    public static boolean starting(Phase phase, DesiredState desired) {
        return desired == DesiredState.RUNNING && BEFORE_RUNNING.contains(phase);
    }

    /** @return {@code "phase P"} or {@code "phase P: reason"} */
    public static String state(Phase phase, String reason) {
        return "phase " + phase + (reason.isEmpty() ? "" : ": " + reason);
    }

    /**
     * @return e.g. {@code "workspace dev is starting (phase Provisioning: pulling image debian-12);
     *     try again when it is Running"} or {@code "workspace dev is not running (phase Stopped);
     *     start it with 'hangar start dev'"}
     */
    public static String notRunning(Workspace w) {
        return notRunning(w.name(), w.phase(), w.desired(), w.reason());
    }

    /** Like {@link #notRunning(Workspace)}, from the parts. */
    public static String notRunning(String name, Phase phase, DesiredState desired, String reason) {
        if (starting(phase, desired)) {
            return "workspace " + name + " is starting (" + state(phase, reason) + "); try again when it is Running"
                    + " ('hangar start " + name + " --wait' waits for it)";
        }
        return "workspace " + name + " is not running (" + state(phase, reason) + "); start it with 'hangar start "
                + name + "'";
    }
}
