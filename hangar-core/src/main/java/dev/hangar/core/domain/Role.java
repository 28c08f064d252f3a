package dev.hangar.core.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a user may do. {@link #MEMBER}: their own workspaces; {@link #ADMIN}: everything, including
 * managing users; {@link #AUDITOR}: read everything, change nothing (except their own API tokens and
 * SSH keys).
 */
public enum Role {
    MEMBER,
    ADMIN,
    AUDITOR;

    /** @return the lower-case wire name, e.g. {@code member} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return true when this role may read every user's workspaces and the user list */
    public boolean readsAll() {
        return this != MEMBER;
    }

    /**
     * Parses a wire name (case-insensitive).
     *
     * @param field the request field it came from, named in the error
     * @throws ValidationException naming {@code field} when it is not a known role
     */
    public static Role parse(String field, String s) {
        for (Role r : values()) {
            if (r.wireName().equalsIgnoreCase(s.strip())) return r;
        }
        throw new ValidationException(
                field,
                "unknown role '" + s + "'; use one of "
                        + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
    }
}
