package dev.hangar.api;

import java.time.Instant;

/**
 * A workspace's idle auto-stop state, as {@code hangar show} prints it and {@code POST
 * /workspaces/{name}/activity} answers.
 *
 * @param autostop the setting in force: {@code off} or a duration such as {@code 2h}
 * @param lastActivity the last time anything used the workspace (SSH through the gateway, an
 *     attached console, a USB attachment, a lease, a start), ISO-8601
 * @param leaseUntil the end of the explicit lease ({@code hangar keepalive}); null when none was taken
 * @param stopAt when it will stop if nothing uses it; null when auto-stop is off
 */
public record ActivityView(String autostop, Instant lastActivity, Instant leaseUntil, Instant stopAt) {}
