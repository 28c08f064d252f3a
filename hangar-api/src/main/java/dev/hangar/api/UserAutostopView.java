package dev.hangar.api;

/**
 * A user's own idle auto-stop default: {@code GET /api/v1/users/{name}/autostop} (admins and
 * auditors: anyone; members: themselves, else 404) and the answer of {@code PUT}.
 *
 * @param user the user's name
 * @param autostop {@code off} or the idle time ({@code 2h}, {@code 30m}); {@code template} when the
 *     user has no default, so each workspace's template setting applies
 */
public record UserAutostopView(String user, String autostop) {}
