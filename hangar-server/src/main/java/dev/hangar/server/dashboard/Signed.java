package dev.hangar.server.dashboard;

import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;

/**
 * The signed-in user of one dashboard request and their session.
 *
 * @param user the user as stored now (enabled)
 * @param session their session (for its CSRF token)
 */
record Signed(User user, SessionStore.Session session) {
    /** @return the chrome of a page under navigation entry {@code nav} */
    Pages.Chrome chrome(String nav) {
        return new Pages.Chrome(user.name(), user.role().wireName(), session.csrf(), nav);
    }

    /** @return false for auditors, who read everything and change nothing but their own keys (as the API's rule) */
    boolean mayChangeWorkspaces() {
        return user.role() != Role.AUDITOR;
    }
}
