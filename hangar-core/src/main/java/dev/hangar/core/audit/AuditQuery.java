package dev.hangar.core.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * Which audit entries to read: those at or after {@code since}, by {@code actor}, of {@code
 * action}, strictly older (by {@code seq}) than {@code beforeSeq}, newest first. The {@code
 * beforeSeq} is a keyset cursor: a page costs the same at any depth and entries written meanwhile
 * never shift later pages.
 *
 * @param since earliest time (inclusive); {@link Instant#EPOCH} for no bound
 * @param actor exact actor name; empty for anyone
 * @param action exact action ({@code workspace.create}), or a prefix ending in a dot ({@code
 *     workspace.}) for a family; empty for any
 * @param beforeSeq only entries with a smaller {@code seq}; {@link #START} for the newest
 */
public record AuditQuery(Instant since, String actor, String action, long beforeSeq) {
    /** The cursor of the first page (the newest entries). */
    public static final long START = Long.MAX_VALUE;

    /** Every entry, newest first. */
    public static final AuditQuery ALL = new AuditQuery(Instant.EPOCH, "", "", START);

    public AuditQuery {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        if (beforeSeq < 1) throw new IllegalArgumentException("beforeSeq must be at least 1, got " + beforeSeq);
    }

    /** @return this query continuing below {@code seq} */
    public AuditQuery before(long seq) {
        return new AuditQuery(since, actor, action, seq);
    }

    /** @return whether {@link #action} names a family ({@code workspace.}) rather than one action */
    public boolean actionIsPrefix() {
        return action.endsWith(".");
    }

    /** @return whether {@code e} matches the filters (not the cursor) */
    public boolean matches(AuditEntry e) {
        return !e.at().isBefore(since)
                && (actor.isEmpty() || e.actor().equals(actor))
                && (action.isEmpty()
                        || (actionIsPrefix()
                                ? e.action().startsWith(action)
                                : e.action().equals(action)));
    }
}
