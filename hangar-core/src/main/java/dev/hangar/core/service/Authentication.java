package dev.hangar.core.service;

import dev.hangar.core.domain.User;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link UserService#authenticate}, from its one read of the store: the user the
 * bearer token acts as, or a rejection that still names the presented token for the audit entry
 * when the token's id is a stored token's (the id is not secret; the secret itself is never part of
 * either answer).
 */
public sealed interface Authentication permits Authentication.Authenticated, Authentication.Rejected {

    /** @return the authenticated user; empty when rejected */
    Optional<User> user();

    /**
     * The token is well-formed, known, its secret matches, it has not expired and its user is
     * enabled.
     *
     * @param authenticatedUser the user the token acts as, as read with the token
     */
    record Authenticated(User authenticatedUser) implements Authentication {
        public Authenticated {
            Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        }

        @Override
        public Optional<User> user() {
            return Optional.of(authenticatedUser);
        }
    }

    /**
     * Anything else (malformed, unknown, wrong secret, expired, user disabled); the caller answers
     * 401 without saying which.
     *
     * @param tokenLabel {@code owner/name} of the stored token whose id the presented string
     *     carries, whether or not its secret matched; empty when the string is not a Hangar token or
     *     its id names none
     */
    record Rejected(Optional<String> tokenLabel) implements Authentication {
        public Rejected {
            Objects.requireNonNull(tokenLabel, "tokenLabel");
        }

        @Override
        public Optional<User> user() {
            return Optional.empty();
        }
    }
}
