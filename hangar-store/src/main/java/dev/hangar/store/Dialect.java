package dev.hangar.store;

import dev.hangar.store.ConstraintViolation.Kind;
import java.sql.SQLException;
import java.util.Optional;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The two supported databases and what differs between them. */
enum Dialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    /** SQLSTATE {@code unique_violation} (PostgreSQL Appendix A, error codes). */
    private static final String UNIQUE_VIOLATION = "23505";
    /** SQLSTATE {@code foreign_key_violation}. */
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final String folder;

    Dialect(String folder) {
        this.folder = folder;
    }

    static Dialect of(StoreConfig config) {
        return config.isSqlite() ? SQLITE : POSTGRESQL;
    }

    /** @return the Flyway location of this dialect's migrations */
    String migrations() {
        return "classpath:db/migration/" + folder;
    }

    /** @return the uniqueness or foreign-key violation somewhere in {@code failure}'s causes, if any */
    Optional<ConstraintViolation> violation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (!(t instanceof SQLException sql)) continue;
            Optional<ConstraintViolation> found = this == SQLITE ? sqlite(sql) : postgresql(sql);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    private static Optional<ConstraintViolation> sqlite(SQLException e) {
        if (!(e instanceof SQLiteException s)) return Optional.empty();
        // sqlite-jdbc turns on extended result codes, so the constraint kind is in the code
        // (https://www.sqlite.org/rescode.html#constraint_unique); the message names the columns.
        SQLiteErrorCode code = s.getResultCode();
        String message = String.valueOf(s.getMessage());
        if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
            return Optional.of(new ConstraintViolation(Kind.UNIQUE, message));
        }
        if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY) {
            return Optional.of(new ConstraintViolation(Kind.FOREIGN_KEY, message));
        }
        return Optional.empty();
    }

    private static Optional<ConstraintViolation> postgresql(SQLException e) {
        String state = e.getSQLState();
        Kind kind;
        if (UNIQUE_VIOLATION.equals(state)) kind = Kind.UNIQUE;
        else if (FOREIGN_KEY_VIOLATION.equals(state)) kind = Kind.FOREIGN_KEY;
        else return Optional.empty();
        String constraint = "";
        if (e instanceof PSQLException p) {
            ServerErrorMessage server = p.getServerErrorMessage();
            if (server != null && server.getConstraint() != null) constraint = server.getConstraint();
        }
        return Optional.of(new ConstraintViolation(kind, constraint));
    }
}
