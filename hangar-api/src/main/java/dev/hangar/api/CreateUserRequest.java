package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/users} (admins only).
 *
 * @param name DNS-1123 label, not {@code me}
 * @param role {@code member} (when null), {@code admin} or {@code auditor}
 */
public record CreateUserRequest(String name, String role) {}
