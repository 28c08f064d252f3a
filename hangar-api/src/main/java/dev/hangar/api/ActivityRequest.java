package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/workspaces/{name}/activity}: keep the workspace from being
 * auto-stopped for a while (a lease), counting as activity now.
 *
 * @param forDuration JSON {@code "for"}: how long, e.g. {@code "3h"}, {@code "30m"} or ISO-8601; at
 *     most the server's {@code autostop.max-lease}
 */
public record ActivityRequest(
        @com.fasterxml.jackson.annotation.JsonProperty("for")
        String forDuration) {}
