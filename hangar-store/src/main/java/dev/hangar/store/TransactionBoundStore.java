package dev.hangar.store;

import dev.hangar.core.store.Store;
import java.util.Objects;
import java.util.function.Function;

/**
 * The view of a {@link JdbiStore} that {@link JdbiStore#inTransaction} hands to its work: every
 * call runs on the transaction's one handle. {@link #inTransaction} on this view nests in a
 * savepoint of the same transaction. {@link #close()} does nothing (the owning store closes the
 * pool). Using the view after the transaction ended throws {@link IllegalStateException}.
 */
final class TransactionBoundStore extends SessionStore {

    private final TransactionSession session;
    private final String description;

    TransactionBoundStore(TransactionSession session, String description, SealedColumn hostKeys) {
        super(session, hostKeys);
        this.session = session;
        this.description = description;
    }

    @Override
    public <T> T inTransaction(Function<Store, T> work) {
        Objects.requireNonNull(work, "work");
        return session.nested(() -> work.apply(this));
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean ping() {
        try {
            return session.read(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // the pool belongs to the JdbiStore this view came from
    }
}
