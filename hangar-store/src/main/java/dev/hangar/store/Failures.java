package dev.hangar.store;

import dev.hangar.core.store.StoreException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.JdbiException;

/** Turns JDBI failures into the exceptions the storage interfaces promise. */
final class Failures {
    private Failures() {}

    /**
     * @return the domain exception {@code onViolation} makes of a constraint violation, otherwise a
     *     {@link StoreException} whose message is the driver's (JDBI's rendering of bound values is
     *     off, and pgJDBC's server detail is off, so no stored secret reaches a log)
     */
    static RuntimeException translate(
            JdbiException e, Dialect dialect, Function<ConstraintViolation, Optional<RuntimeException>> onViolation) {
        Optional<RuntimeException> mapped = dialect.violation(e).flatMap(onViolation);
        if (mapped.isPresent()) return mapped.get();
        return storeFailure(e);
    }

    static StoreException storeFailure(Throwable e) {
        Throwable cause = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                cause = t;
                break;
            }
        }
        return new StoreException("database operation failed: " + cause.getMessage(), cause);
    }
}
