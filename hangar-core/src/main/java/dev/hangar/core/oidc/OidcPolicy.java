package dev.hangar.core.oidc;

import dev.hangar.core.domain.Role;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a verified identity becomes a Hangar user (issue #15, item 3).
 *
 * @param usernameClaim the claim whose value is the new user's name, e.g. {@code
 *     preferred_username}; it must be a DNS-1123 label
 * @param groupsClaim the claim listing the user's groups, e.g. {@code groups}; empty when roles are
 *     not taken from the provider (then a new user gets {@code defaultRole} and later sign-ins keep
 *     whatever role an admin set)
 * @param roleGroups per role, the provider groups that grant it, e.g. {@code admin -> [hangar-admins]}
 * @param defaultRole the role of a user in none of the mapped groups
 */
public record OidcPolicy(
        String usernameClaim, String groupsClaim, Map<Role, Set<String>> roleGroups, Role defaultRole) {

    /** The defaults: {@code preferred_username}, no groups claim, every user a member. */
    public static final OidcPolicy DEFAULTS = new OidcPolicy("preferred_username", "", Map.of(), Role.MEMBER);

    /** Precedence when a user is in the groups of several roles: the most powerful wins. */
    private static final List<Role> PRECEDENCE = List.of(Role.ADMIN, Role.AUDITOR, Role.MEMBER);

    public OidcPolicy {
        Objects.requireNonNull(usernameClaim, "usernameClaim");
        Objects.requireNonNull(groupsClaim, "groupsClaim");
        Objects.requireNonNull(defaultRole, "defaultRole");
        if (usernameClaim.isBlank()) throw new IllegalArgumentException("usernameClaim must not be blank");
        Map<Role, Set<String>> copy = new EnumMap<>(Role.class);
        roleGroups.forEach((r, g) -> copy.put(r, Set.copyOf(g)));
        roleGroups = Map.copyOf(copy);
    }

    /** @return true when roles come from the provider's groups claim at every sign-in */
    public boolean rolesFromGroups() {
        return !groupsClaim.isBlank();
    }

    /**
     * @return the role the claims grant: the first of admin, auditor, member whose mapped groups
     *     meet the groups claim, else {@link #defaultRole()}; empty when {@link #rolesFromGroups()}
     *     is false
     */
    public Optional<Role> role(VerifiedClaims claims) {
        if (!rolesFromGroups()) return Optional.empty();
        List<String> groups = claims.strings(groupsClaim);
        for (Role r : PRECEDENCE) {
            Set<String> mapped = roleGroups.getOrDefault(r, Set.of());
            if (groups.stream().anyMatch(mapped::contains)) return Optional.of(r);
        }
        return Optional.of(defaultRole);
    }
}
