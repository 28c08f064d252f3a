package dev.hangar.store;

import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.HandleCallback;

/**
 * How the table stores reach the database: through the pool, one short transaction per write
 * ({@link PooledSession}), or through the single handle of an enclosing transaction
 * ({@link TransactionSession}). The table stores are written once against this interface.
 */
sealed interface Session permits PooledSession, TransactionSession {

    /** @return the database this session talks to */
    Dialect dialect();

    /** Runs read-only work; JDBI failures come out as {@link dev.hangar.core.store.StoreException}. */
    <T> T read(HandleCallback<T, RuntimeException> work);

    /**
     * Runs work that writes, atomically: on failure nothing of it remains.
     *
     * @param onViolation turns a uniqueness or foreign-key violation into a domain exception; empty
     *     leaves it a {@link dev.hangar.core.store.StoreException}
     */
    <T> T write(
            HandleCallback<T, RuntimeException> work,
            Function<ConstraintViolation, Optional<RuntimeException>> onViolation);

    /** Runs work that writes and expects no constraint violation. */
    default <T> T write(HandleCallback<T, RuntimeException> work) {
        return write(work, v -> Optional.empty());
    }
}
