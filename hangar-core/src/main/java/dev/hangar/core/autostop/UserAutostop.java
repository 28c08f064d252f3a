package dev.hangar.core.autostop;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.User;
import dev.hangar.core.store.Store;
import java.util.Objects;
import java.util.Optional;

/**
 * Each user's own idle auto-stop default ({@code hangar autostop set 2h}): it applies to the user's
 * workspaces that were not given their own at create ({@code --autostop}), in place of their
 * template's setting. See {@link ActivityService#autostop} for the order.
 *
 * <p>Visibility as for quotas: admins and auditors read anyone's, members only their own; anyone
 * else's is "not found", so user names cannot be probed. Members set their own, admins anyone's.
 * Thread-safe.
 */
public final class UserAutostop {
    /** The value of {@code set} that clears the default, so the templates' settings apply again. */
    public static final String TEMPLATE = "template";

    /**
     * A user's default.
     *
     * @param user the user's name
     * @param autostop the default; empty when the user has none (their templates' settings apply)
     */
    public record Status(String user, Optional<Autostop> autostop) {
        public Status {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(autostop, "autostop");
        }
    }

    private final Store store;

    public UserAutostop(Store store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * @param user the user's name; {@code me} or empty for the actor
     * @throws NotFoundException when the user does not exist or the actor may not see them
     */
    public Status status(User actor, String user) {
        String name = visible(actor, user, actor.readsAll());
        return new Status(name, store.activity().userDefault(name));
    }

    /**
     * Sets the user's default. Idempotent; takes effect at the next auto-stop sweep for running
     * workspaces without their own setting.
     *
     * @param user the user's name; {@code me} or empty for the actor
     * @param value {@code off}, a duration such as {@code 30m}, {@code 2h} or {@code 1d} (at least
     *     1m), or {@value #TEMPLATE} to clear it
     * @throws dev.hangar.core.domain.ValidationException field {@code autostop} for any other value
     * @throws NotFoundException when the user does not exist, or is another user and the actor is
     *     not an admin
     */
    public Status set(User actor, String user, String value) {
        String name = visible(actor, user, actor.admin());
        Optional<Autostop> next = value != null && value.strip().equalsIgnoreCase(TEMPLATE)
                ? Optional.empty()
                : Optional.of(Autostop.parse("autostop", value));
        store.inTransaction(tx -> {
            if (tx.users().find(name).isEmpty()) throw notFound(name);
            tx.activity().setUserDefault(name, next);
            return null;
        });
        return new Status(name, next);
    }

    private String visible(User actor, String user, boolean mayOthers) {
        String name = user.isEmpty() || user.equals("me") ? actor.name() : user;
        if (name.equals(actor.name())) return name;
        if (!mayOthers || store.users().find(name).isEmpty()) throw notFound(name);
        return name;
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("user '" + name + "' does not exist");
    }
}
