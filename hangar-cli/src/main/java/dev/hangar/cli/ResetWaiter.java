package dev.hangar.cli;

import dev.hangar.api.DesiredState;
import dev.hangar.api.EventView;
import dev.hangar.api.ResetView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --wait} for a reset: a reset is done once the workspace's events say {@code reset
 * completed (generation N)} for the requested generation (or a later one) and the workspace is back
 * at its desired state (Running or Stopped). Polls as {@link Waiter} does (same progress lines,
 * deadline and failure handling).
 */
final class ResetWaiter {
    private static final Pattern COMPLETED = Pattern.compile("reset completed \\(generation (\\d+)\\)");
    private static final int EVENTS = 200;

    private final HangarClient client;
    private final Waiter waiter;

    ResetWaiter(CliContext ctx, HangarClient client, Duration timeout) {
        this.client = client;
        this.waiter = new Waiter(ctx, client, timeout);
    }

    /**
     * Waits until the reset {@code r} is done and the workspace settled.
     *
     * @throws CliException ERROR when the workspace fails or the deadline passes; NOT_FOUND when it
     *     disappears
     */
    WorkspaceView untilDone(ResetView r) {
        return waiter.until(r.workspace(), r.owner(), "reset", w -> settled(w) && completed(r));
    }

    private static boolean settled(WorkspaceView w) {
        return (w.desired() == DesiredState.RUNNING && w.phase() == WorkspacePhase.Running)
                || (w.desired() == DesiredState.STOPPED && w.phase() == WorkspacePhase.Stopped);
    }

    private boolean completed(ResetView r) {
        for (EventView e : client.events(r.workspace(), r.owner(), EVENTS)) {
            if (!e.type().equals("reset")) continue;
            Matcher m = COMPLETED.matcher(e.message());
            if (m.matches() && Long.parseLong(m.group(1)) >= r.generation()) return true;
        }
        return false;
    }
}
