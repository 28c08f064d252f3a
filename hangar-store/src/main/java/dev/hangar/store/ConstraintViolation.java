package dev.hangar.store;

import java.util.Locale;

/**
 * A uniqueness or foreign-key violation reported by the database, in a form both dialects share.
 *
 * @param kind which kind of constraint failed
 * @param where the constraint's name (PostgreSQL) or the failed columns as {@code table.column}
 *     (SQLite's message); the migrations name every PostgreSQL constraint after its columns, so
 *     {@link #mentions} works for both
 */
record ConstraintViolation(Kind kind, String where) {

    /** The constraint kinds the stores translate into domain exceptions. */
    enum Kind {
        UNIQUE,
        FOREIGN_KEY
    }

    /** @return true when the failed constraint involves {@code column} */
    boolean mentions(String column) {
        return where.toLowerCase(Locale.ROOT).contains(column);
    }
}
