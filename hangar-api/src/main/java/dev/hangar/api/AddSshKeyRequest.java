package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/users/me/keys}.
 *
 * @param key one {@code authorized_keys} line, e.g. the content of {@code ~/.ssh/id_ed25519.pub}
 */
public record AddSshKeyRequest(String key) {}
