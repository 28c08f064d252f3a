package dev.hangar.cli;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code --wait}: polls a workspace until a condition holds, it fails, or a deadline passes; at an
 * interactive terminal it prints a line on standard error whenever the phase or its reason changes.
 * The
 * server only records desired state; the reconciler makes it so, so waiting means watching the
 * observed phase. A plain loop with a deadline and a poll interval; the clock comes from the
 * {@link CliContext}.
 *
 * <p><b>Poll schedule</b> ({@link #pause}): every {@value #FAST_POLL_MILLIS} ms during the first
 * {@value #FAST_WINDOW_MILLIS} ms of a wait, then every {@link CliContext#pollInterval()} (250 ms by
 * default). A resume from a suspended state reaches Running about a second after the request, and
 * a quarter-second poll returned 0.19-0.27 s after that (issue #18: a tenth of the resume's 3 s
 * budget); the fast polls end it within about 20 ms. A long wait (a cold boot of half a minute)
 * costs at most {@value #FAST_WINDOW_MILLIS} / {@value #FAST_POLL_MILLIS} = 150 small GETs more,
 * all in its first seconds, and then polls at the usual rate. The server has no long-poll or
 * event stream for a workspace's phase; with one, this would become a single waiting request.
 */
final class Waiter {
    /** The interval of the first polls of a wait, in milliseconds. */
    static final long FAST_POLL_MILLIS = 20;

    /** How long a wait polls every {@link #FAST_POLL_MILLIS}, in milliseconds from its start. */
    static final long FAST_WINDOW_MILLIS = 3_000;

    private final CliContext ctx;
    private final HangarClient client;
    private final Duration timeout;

    Waiter(CliContext ctx, HangarClient client, Duration timeout) {
        this.ctx = ctx;
        this.client = client;
        this.timeout = timeout;
    }

    /**
     * Waits until {@code done} holds for the workspace.
     *
     * @param goal what is awaited, for messages, e.g. {@code Running}
     * @return the workspace as last seen
     * @throws CliException ERROR when the workspace reaches Failed or the deadline passes; NOT_FOUND
     *     when it disappears
     */
    WorkspaceView until(String name, String owner, String goal, Predicate<WorkspaceView> done) {
        Instant start = ctx.clock().instant();
        Instant deadline = start.plus(timeout);
        String lastProgress = ""; // none shown yet
        while (true) {
            WorkspaceView w = fetch(name, owner)
                    .orElseThrow(() -> new CliException(
                            ExitCodes.NOT_FOUND, "workspace " + name + " disappeared while waiting for " + goal));
            String progress = "phase: " + w.phase() + (w.reason().isEmpty() ? "" : " (" + w.reason() + ")");
            if (!progress.equals(lastProgress) && ctx.terminal().interactive()) {
                // Progress only for a person at a terminal; scripts get the final line alone. A new
                // reason in the same phase is progress too: an image download's or a DataVolume
                // import's percentage, the sshd still to answer.
                ctx.err().println(progress);
                ctx.err().flush();
            }
            lastProgress = progress;
            if (done.test(w)) return w;
            if (w.phase() == WorkspacePhase.Failed) {
                throw new CliException(
                        ExitCodes.ERROR,
                        "workspace " + name + " failed: " + (w.reason().isEmpty() ? "no reason given" : w.reason())
                                + "; see 'hangar events " + name + "'");
            }
            pauseUntilNextPoll(start, deadline, name, goal, w.phase());
        }
    }

    /**
     * Waits until the workspace is gone (the server answers 404).
     *
     * @throws CliException ERROR when it fails to delete or the deadline passes
     */
    void untilGone(String name, String owner) {
        Instant start = ctx.clock().instant();
        Instant deadline = start.plus(timeout);
        while (true) {
            Optional<WorkspaceView> w = fetch(name, owner);
            if (w.isEmpty()) return;
            if (w.get().phase() == WorkspacePhase.Failed) {
                throw new CliException(
                        ExitCodes.ERROR,
                        "workspace " + name + " failed to delete: " + w.get().reason() + "; see 'hangar events " + name
                                + "'");
            }
            pauseUntilNextPoll(start, deadline, name, "deletion", w.get().phase());
        }
    }

    private Optional<WorkspaceView> fetch(String name, String owner) {
        try {
            return Optional.of(client.workspace(name, owner));
        } catch (ApiException e) {
            if (e.status() == 404) return Optional.empty();
            throw e;
        }
    }

    /**
     * The pause before the next poll of a wait.
     *
     * @param sinceStart how long the wait has run
     * @param pollInterval the usual interval ({@link CliContext#pollInterval()})
     * @return {@link #FAST_POLL_MILLIS} ms while {@code sinceStart} is under {@link
     *     #FAST_WINDOW_MILLIS} ms (or {@code pollInterval} if that is shorter), else {@code
     *     pollInterval}
     */
    static Duration pause(Duration sinceStart, Duration pollInterval) {
        Duration fast = Duration.ofMillis(FAST_POLL_MILLIS);
        if (sinceStart.toMillis() < FAST_WINDOW_MILLIS && fast.compareTo(pollInterval) < 0) return fast;
        return pollInterval;
    }

    private void pauseUntilNextPoll(Instant start, Instant deadline, String name, String goal, WorkspacePhase phase) {
        Instant now = ctx.clock().instant();
        if (!now.isBefore(deadline)) {
            throw new CliException(
                    ExitCodes.ERROR,
                    "timed out after " + timeout.toSeconds() + "s waiting for workspace " + name + " (" + goal
                            + "; phase now " + phase + "); it continues in the background, see 'hangar events "
                            + name + "'");
        }
        Duration pause = pause(Duration.between(start, now), ctx.pollInterval());
        Duration left = Duration.between(now, deadline);
        try {
            Thread.sleep(pause.compareTo(left) < 0 ? pause : left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while waiting for workspace " + name);
        }
    }
}
