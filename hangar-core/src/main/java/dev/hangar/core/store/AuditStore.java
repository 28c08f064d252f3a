package dev.hangar.core.store;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import java.time.Instant;
import java.util.List;

/** The audit log table: append, read newest first, prune by age. Thread-safe. */
public interface AuditStore {

    /**
     * Appends one entry (its {@code seq} is ignored).
     *
     * @return the entry as stored: {@code seq} assigned, {@code at} truncated to the millisecond
     * @throws dev.hangar.core.domain.ValidationException when a text holds U+0000
     */
    AuditEntry append(AuditEntry entry);

    /**
     * @param limit at most this many (0 gives none)
     * @return the entries matching {@code query}, newest (highest {@code seq}) first
     * @throws IllegalArgumentException when {@code limit} is negative
     */
    List<AuditEntry> list(AuditQuery query, int limit);

    /**
     * Deletes every entry older than {@code cutoff} (strictly). Idempotent.
     *
     * @return how many were deleted
     */
    int deleteBefore(Instant cutoff);
}
