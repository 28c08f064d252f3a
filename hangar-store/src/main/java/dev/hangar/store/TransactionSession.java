package dev.hangar.store;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.JdbiException;

/**
 * Database access through the one handle of an open transaction. Every write, and every nested
 * {@code inTransaction}, runs inside a savepoint on that same handle: when it fails only its own
 * changes are undone and the enclosing transaction stays usable on both databases (PostgreSQL would
 * otherwise refuse every later statement of an aborted transaction; SQLite would keep a half-done
 * multi-statement write). Calls from several threads are serialised, since a JDBC connection is
 * not meant for concurrent use. Unusable after the transaction ends.
 */
final class TransactionSession implements Session {

    private final Handle handle;
    private final Dialect dialect;
    private final ReentrantLock confinement = new ReentrantLock();
    private boolean open = true;
    private int savepoints;

    TransactionSession(Handle handle, Dialect dialect) {
        this.handle = handle;
        this.dialect = dialect;
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public <T> T read(HandleCallback<T, RuntimeException> work) {
        confinement.lock();
        try {
            checkOpen();
            return work.withHandle(handle);
        } catch (JdbiException e) {
            throw Failures.translate(e, dialect, v -> Optional.empty());
        } finally {
            confinement.unlock();
        }
    }

    @Override
    public <T> T write(
            HandleCallback<T, RuntimeException> work,
            Function<ConstraintViolation, Optional<RuntimeException>> onViolation) {
        try {
            return inSavepoint(() -> work.withHandle(handle));
        } catch (JdbiException e) {
            throw Failures.translate(e, dialect, onViolation);
        }
    }

    /** Runs nested transactional work in a savepoint of this transaction. */
    <T> T nested(Supplier<T> work) {
        try {
            return inSavepoint(work);
        } catch (JdbiException e) {
            throw Failures.translate(e, dialect, v -> Optional.empty());
        }
    }

    /** Marks the transaction as ended; later calls fail with IllegalStateException. */
    void end() {
        confinement.lock();
        try {
            open = false;
        } finally {
            confinement.unlock();
        }
    }

    private <T> T inSavepoint(Supplier<T> work) {
        confinement.lock();
        try {
            checkOpen();
            String name = "hangar_sp_" + ++savepoints;
            handle.savepoint(name);
            T result;
            try {
                result = work.get();
            } catch (RuntimeException | Error e) {
                try {
                    handle.rollbackToSavepoint(name);
                    handle.releaseSavepoint(name);
                } catch (RuntimeException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
            handle.releaseSavepoint(name);
            return result;
        } finally {
            confinement.unlock();
        }
    }

    private void checkOpen() {
        if (!open) {
            throw new IllegalStateException(
                    "the Store given to inTransaction's work was used after its transaction ended; use it only inside the work");
        }
    }
}
