package dev.hangar.cli;

import dev.hangar.api.WorkspaceChangeWait;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code --wait}: follows a workspace until a condition holds, it fails, or a deadline passes; at an
 * interactive terminal it prints a line on standard error whenever the phase or its reason changes.
 * The server only records desired state; the reconciler makes it so, so waiting means watching the
 * observed phase. The clock comes from the {@link CliContext}.
 *
 * <p><b>Waiting requests.</b> After the first plain GET, each request names the version seen last
 * ({@link HangarClient#workspaceChange}) and the server holds it until the workspace changes (at
 * most {@link #HOLD}, less near the deadline, and at most half the client's request timeout), so the
 * wait ends within about 20 ms of the write that made the phase Running, without polls (until
 * 2026-12-05: GETs every {@link CliContext#pollInterval()}, which returned 0.14-0.23 s after Running
 * in bench/qemu). A server from before that answers such a request at once without a change; then
 * this wait falls back to the poll schedule ({@link #pause}) for the rest of it.
 *
 * <p><b>Poll schedule</b> (old servers): every {@value #FAST_POLL_MILLIS} ms during the first
 * {@value #FAST_WINDOW_MILLIS} ms of a wait, then every {@link CliContext#pollInterval()} (250 ms by
 * default): a resume reaches Running about a second after the request, and the fast polls end it
 * within about 20 ms; a long wait costs at most {@value #FAST_WINDOW_MILLIS} / {@value
 * #FAST_POLL_MILLIS} = 150 small GETs more, all in its first seconds.
 */
final class Waiter {
    /** The interval of the first polls of a wait, in milliseconds. */
    static final long FAST_POLL_MILLIS = 20;

    /** How long a wait polls every {@link #FAST_POLL_MILLIS}, in milliseconds from its start. */
    static final long FAST_WINDOW_MILLIS = 3_000;

    /** The longest one waiting request is held by the server: the server's default hold. */
    static final Duration HOLD = Duration.ofSeconds(WorkspaceChangeWait.DEFAULT_SECONDS);

    private final CliContext ctx;
    private final HangarClient client;
    private final Duration timeout;
    /** False once the server showed it does not hold requests (an older server): poll instead. */
    private boolean serverHolds = true;

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
        Optional<WorkspaceView> seen = fetch(name, owner);
        while (true) {
            WorkspaceView w = seen.orElseThrow(() -> new CliException(
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
            seen = next(start, deadline, name, owner, goal, w);
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
        Optional<WorkspaceView> w = fetch(name, owner);
        while (w.isPresent()) {
            if (w.get().phase() == WorkspacePhase.Failed) {
                throw new CliException(
                        ExitCodes.ERROR,
                        "workspace " + name + " failed to delete: " + w.get().reason() + "; see 'hangar events " + name
                                + "'");
            }
            w = next(start, deadline, name, owner, "deletion", w.get());
        }
    }

    /**
     * The workspace's next state after {@code last}: a waiting request while the server holds them,
     * else a poll after the schedule's pause.
     *
     * @return empty when the workspace is gone
     * @throws CliException ERROR when the deadline passed
     */
    private Optional<WorkspaceView> next(
            Instant start, Instant deadline, String name, String owner, String goal, WorkspaceView last) {
        Instant now = ctx.clock().instant();
        checkDeadline(now, deadline, name, goal, last.phase());
        Duration hold = hold(Duration.between(now, deadline), client.settings().requestTimeout());
        if (serverHolds && !hold.isZero()) {
            Optional<WorkspaceView> w = fetchChange(name, owner, last.version(), hold);
            boolean answeredAtOnce =
                    Duration.between(now, ctx.clock().instant()).compareTo(hold.dividedBy(2)) < 0;
            if (w.isEmpty() || w.get().version() != last.version() || !answeredAtOnce) return w;
            // unchanged, and not held: a server that ignores changedFrom (older than this CLI)
            serverHolds = false;
        }
        pauseUntilNextPoll(start, deadline, name, goal, last.phase());
        return fetch(name, owner);
    }

    /**
     * How long the server may hold one waiting request.
     *
     * @param left until the wait's deadline
     * @param requestTimeout the client's, which must not end a held request
     * @return {@link #HOLD}, or less: what is {@code left}, at most half of {@code requestTimeout};
     *     zero when that is under a second (the server's unit): then the wait polls
     */
    static Duration hold(Duration left, Duration requestTimeout) {
        Duration h = HOLD;
        if (left.compareTo(h) < 0) h = left;
        Duration half = requestTimeout.dividedBy(2);
        if (half.compareTo(h) < 0) h = half;
        return h.compareTo(Duration.ofSeconds(WorkspaceChangeWait.MIN_SECONDS)) < 0 ? Duration.ZERO : h;
    }

    private Optional<WorkspaceView> fetchChange(String name, String owner, long version, Duration hold) {
        return unlessGone(() -> client.workspaceChange(name, owner, version, hold));
    }

    private Optional<WorkspaceView> fetch(String name, String owner) {
        return unlessGone(() -> client.workspace(name, owner));
    }

    /** @return what {@code request} answered; empty for a 404 (the workspace is gone) */
    private static Optional<WorkspaceView> unlessGone(Supplier<WorkspaceView> request) {
        try {
            return Optional.of(request.get());
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

    private void checkDeadline(Instant now, Instant deadline, String name, String goal, WorkspacePhase phase) {
        if (!now.isBefore(deadline)) {
            throw new CliException(
                    ExitCodes.ERROR,
                    "timed out after " + timeout.toSeconds() + "s waiting for workspace " + name + " (" + goal
                            + "; phase now " + phase + "); it continues in the background, see 'hangar events "
                            + name + "'");
        }
    }

    private void pauseUntilNextPoll(Instant start, Instant deadline, String name, String goal, WorkspacePhase phase) {
        Instant now = ctx.clock().instant();
        checkDeadline(now, deadline, name, goal, phase);
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
