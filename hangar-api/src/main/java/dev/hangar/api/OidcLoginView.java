package dev.hangar.api;

/**
 * Answer of {@code POST /api/v1/auth/oidc/token}: the signed-in Hangar user and a new API token
 * for them (its secret shown only this once).
 *
 * @param user the user the identity signs in as (created on first sign-in)
 * @param token the new API token; {@code secret} is the bearer token to store
 */
public record OidcLoginView(UserView user, CreatedTokenView token) {}
