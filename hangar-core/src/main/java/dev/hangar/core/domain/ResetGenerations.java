package dev.hangar.core.domain;

import java.util.Objects;

/**
 * A workspace's reset bookkeeping (issue #13, item 5): how many resets were asked for and up to
 * which one the reconciler has carried them out. Generations make a reset level-triggered: a reset
 * is pending while {@code requested > done}, so a server that dies between the provider's reset and
 * the record of it resets again at its next pass (the provider's reset is idempotent).
 *
 * @param workspaceId the workspace
 * @param requested the number of resets asked for so far, at least 0
 * @param done the highest requested generation that was carried out, at least 0, at most {@code
 *     requested}
 */
public record ResetGenerations(String workspaceId, long requested, long done) {
    /**
     * @throws IllegalArgumentException when a generation is negative or {@code done > requested}
     */
    public ResetGenerations {
        Objects.requireNonNull(workspaceId, "workspaceId");
        if (requested < 0 || done < 0 || done > requested)
            throw new IllegalArgumentException("reset generations must satisfy 0 <= done <= requested, got done=" + done
                    + " requested=" + requested);
    }

    /** @return the generations of a workspace that was never reset */
    public static ResetGenerations none(String workspaceId) {
        return new ResetGenerations(workspaceId, 0, 0);
    }

    /** @return true while a requested reset has not been carried out */
    public boolean pending() {
        return requested > done;
    }
}
