package dev.hangar.api;

/**
 * Answer of {@code POST /api/v1/users}: the new user and their first API token (named {@code
 * initial}), whose secret is shown only this once.
 *
 * @param user the user
 * @param token the user's first token and its secret
 */
public record CreatedUserView(UserView user, CreatedTokenView token) {}
