package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/users/me/tokens}.
 *
 * @param name DNS-1123 label, unique among the caller's tokens
 * @param expires lifetime such as {@code 30d}, {@code 12h}, {@code 90m} or {@code 2w}; null for a
 *     token that does not expire
 */
public record CreateTokenRequest(String name, String expires) {}
