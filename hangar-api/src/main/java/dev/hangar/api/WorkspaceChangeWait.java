package dev.hangar.api;

import java.time.Duration;

/**
 * The limits of a held {@code GET /api/v1/workspaces/{name}?changedFrom=V&waitSeconds=S}: how long
 * the server may hold the request until the workspace's version is no longer {@code V}. One copy for
 * the server, which rejects a {@code waitSeconds} outside them (400), and the client, which clamps to
 * them. Whole seconds.
 */
public final class WorkspaceChangeWait {
    /** The shortest hold a request may ask for, in seconds. */
    public static final int MIN_SECONDS = 1;

    /**
     * The longest hold, in seconds: well under a client's request timeout (30 s by default) and
     * Jetty's idle timeout.
     */
    public static final int MAX_SECONDS = 20;

    /** The hold when a request names none, in seconds. */
    public static final int DEFAULT_SECONDS = 10;

    private WorkspaceChangeWait() {}

    /**
     * @param wait how long a caller is willing to wait
     * @return {@code wait} in whole seconds, rounded up, clamped to {@link #MIN_SECONDS}..{@link
     *     #MAX_SECONDS}
     */
    public static long seconds(Duration wait) {
        long millis = Math.max(0, wait.toMillis());
        return Math.clamp((millis + 999) / 1000, MIN_SECONDS, MAX_SECONDS);
    }
}
