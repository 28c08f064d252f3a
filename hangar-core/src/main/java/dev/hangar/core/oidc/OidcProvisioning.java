package dev.hangar.core.oidc;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.Names;
import dev.hangar.core.domain.OidcIdentity;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a verified OpenID Connect identity into a Hangar user (issue #15, item 3): finds the user
 * linked to the identity's issuer and subject, or creates one on first sign-in from the configured
 * claims.
 *
 * <p><b>No account takeover by a colliding name.</b> Users are found by the stored {@code (issuer,
 * subject)} link only, never by name or e-mail. A first sign-in whose username claim names a user
 * that already exists (the bootstrap admin, a user an admin created, or a user linked to another
 * identity) is refused with {@link SignInRefusedException}: whoever controls a provider account
 * cannot set its {@code preferred_username} to {@code admin} and become Hangar's admin.
 *
 * <p><b>Roles.</b> With a groups claim configured ({@link OidcPolicy#rolesFromGroups()}) the
 * provider is the source of truth: the role is recomputed at every sign-in and stored when it
 * changed (a person removed from {@code hangar-admins} is a member from their next sign-in on; the
 * role of the user also applies to their existing tokens). Without one, a new user gets the default
 * role and later sign-ins leave the role to Hangar's admins.
 *
 * <p>Thread-safe; each sign-in is one transaction. Two concurrent first sign-ins of one identity
 * create one user: the loser of the insert finds the winner's link.
 */
public final class OidcProvisioning {
    private final Store store;
    private final Clock clock;
    private final OidcPolicy policy;

    public OidcProvisioning(Store store, Clock clock, OidcPolicy policy) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Signs in a verified identity.
     *
     * @return the user the identity is linked to (created and linked on first sign-in), enabled,
     *     with the role the policy gives it
     * @throws SignInRefusedException when the linked user is disabled, or on a first sign-in when
     *     the username claim is missing, is not a DNS-1123 label, is {@code me}, or names an
     *     existing user
     */
    public User signIn(VerifiedClaims claims) {
        try {
            return store.inTransaction(tx -> signIn(tx, claims));
        } catch (ConflictException e) {
            // a concurrent first sign-in of the same identity won the insert: its link is there now
            return store.inTransaction(tx -> signIn(tx, claims));
        }
    }

    private User signIn(Store tx, VerifiedClaims claims) {
        Optional<OidcIdentity> link = tx.users().findIdentity(claims.issuer(), claims.subject());
        Optional<Role> granted = policy.role(claims);
        if (link.isPresent()) {
            User user = tx.users()
                    .find(link.get().userName())
                    .orElseThrow(() -> new IllegalStateException("identity linked to a missing user"));
            if (user.disabled())
                throw new SignInRefusedException("user '" + user.name()
                        + "' is disabled in Hangar; an admin enables it with 'hangar user enable " + user.name()
                        + "'");
            if (granted.isPresent() && granted.get() != user.role())
                return tx.users().update(user.withRole(granted.get()));
            return user;
        }
        String name = username(claims);
        if (tx.users().find(name).isPresent())
            throw new SignInRefusedException("a Hangar user named '" + name
                    + "' already exists and is not linked to this identity (issuer " + claims.issuer()
                    + "); sign-in never takes over an account by name: an admin must rename or delete"
                    + " that user, or sign in with a token");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        User user = tx.users().insert(new User(name, granted.orElse(policy.defaultRole()), false, now));
        tx.users().linkIdentity(new OidcIdentity(claims.issuer(), claims.subject(), name, now));
        return user;
    }

    private String username(VerifiedClaims claims) {
        String claim = policy.usernameClaim();
        String name = claims.string(claim)
                .orElseThrow(() -> new SignInRefusedException(
                        "the ID token has no '" + claim + "' claim to name the new Hangar user; set oidc.username-claim"
                                + " to a claim the provider sends"));
        if (!Names.isDns1123Label(name) || name.equals("me"))
            throw new SignInRefusedException("the '" + claim + "' claim '" + name
                    + "' cannot be a Hangar user name: it must be a DNS-1123 label (lower-case letters, digits"
                    + " and '-', starting and ending with a letter or digit, at most " + Names.MAX_LABEL
                    + " characters) and not 'me'; change it at the provider or set oidc.username-claim");
        return name;
    }
}
