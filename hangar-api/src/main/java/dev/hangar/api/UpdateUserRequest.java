package dev.hangar.api;

/**
 * Body of {@code PATCH /api/v1/users/{name}} (admins only): JSON merge patch semantics, a null
 * (absent) field stays as it is.
 *
 * @param role the new role, or null
 * @param disabled true to disable, false to enable, or null
 */
public record UpdateUserRequest(String role, Boolean disabled) {
    /** @return a patch that only changes the role */
    public static UpdateUserRequest role(String role) {
        return new UpdateUserRequest(role, null);
    }

    /** @return a patch that only disables or enables */
    public static UpdateUserRequest disabled(boolean disabled) {
        return new UpdateUserRequest(null, disabled);
    }
}
