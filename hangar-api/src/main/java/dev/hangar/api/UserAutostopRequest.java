package dev.hangar.api;

/**
 * Body of {@code PUT /api/v1/users/{name}/autostop}.
 *
 * @param autostop {@code off}, a duration of at least 1m ({@code 30m}, {@code 2h}, {@code 1d}, ISO
 *     8601), or {@code template} to clear the user's default
 */
public record UserAutostopRequest(String autostop) {}
