package dev.hangar.store;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Database access through the connection pool. Thread-safe.
 *
 * <p>SQLite has a single writer per database file. With {@code serializeWrites} every write and
 * every transaction first takes one fair JVM-wide lock, so writers from many (virtual) threads queue
 * in order instead of competing for SQLite's file lock; transactions also begin with {@code BEGIN
 * IMMEDIATE} (see {@link JdbiStore}) so a read-then-write transaction cannot fail with
 * SQLITE_BUSY when upgrading to a writer. Reads run concurrently on other pooled connections (WAL).
 * PostgreSQL needs no lock: row locks and the version check in {@code UPDATE ... WHERE version = ?}
 * serialise conflicting writers.
 */
final class PooledSession implements Session {

    /** Which store the current thread is running a transaction of, to refuse self-deadlocks. */
    private static final ScopedValue<PooledSession> TRANSACTION_OF = ScopedValue.newInstance();

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final boolean serializeWrites;
    private final ReentrantLock writeLock = new ReentrantLock(true);

    PooledSession(Jdbi jdbi, Dialect dialect, boolean serializeWrites) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.serializeWrites = serializeWrites;
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public <T> T read(HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException e) {
            throw Failures.translate(e, dialect, v -> Optional.empty());
        }
    }

    @Override
    public <T> T write(
            HandleCallback<T, RuntimeException> work,
            Function<ConstraintViolation, Optional<RuntimeException>> onViolation) {
        refuseInsideOwnTransaction();
        lockWrites();
        try {
            return jdbi.inTransaction(work);
        } catch (JdbiException e) {
            throw Failures.translate(e, dialect, onViolation);
        } finally {
            unlockWrites();
        }
    }

    /**
     * Runs {@code work} in one transaction on one handle; commits when it returns, rolls back and
     * rethrows when it throws.
     */
    <T> T transaction(Function<Handle, T> work) {
        refuseInsideOwnTransaction();
        lockWrites();
        try {
            return ScopedValue.where(TRANSACTION_OF, this).call(() -> jdbi.inTransaction(work::apply));
        } catch (JdbiException e) {
            throw Failures.translate(e, dialect, v -> Optional.empty());
        } finally {
            unlockWrites();
        }
    }

    /** Pings on a pooled connection. */
    boolean ping() {
        try {
            return jdbi.withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void refuseInsideOwnTransaction() {
        // A write through the pool while this thread holds an open transaction of the same store
        // would wait for that transaction's locks forever (PostgreSQL row lock) or until SQLite's
        // busy timeout; fail at once and say what to do instead.
        if (TRANSACTION_OF.isBound() && TRANSACTION_OF.get() == this) {
            throw new IllegalStateException("this thread is inside inTransaction of this store; write through the Store"
                    + " passed to the transaction's work, not through the outer store");
        }
    }

    private void lockWrites() {
        if (serializeWrites) writeLock.lock();
    }

    private void unlockWrites() {
        if (serializeWrites) writeLock.unlock();
    }
}
