package dev.hangar.core.audit;

import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records who did what (issue #15, item 6) and keeps it for {@link #retention()}. Entries are
 * written synchronously, each in its own short transaction, so an entry whose call returned is on
 * disk and a clean shutdown loses nothing. Time comes from the injected clock.
 *
 * <p>Control characters in a field become {@code ?} and a field is cut at {@value #MAX_FIELD}
 * characters, so what a client put into a path cannot forge lines or fill the table.
 *
 * <p>{@link #record} never throws: the audited action already happened, so a failing write is
 * logged (without the entry's values beyond action and actor) and the caller goes on. Thread-safe.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    /** The retention when none is configured. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

    private final Store store;
    private final Clock clock;
    private final Duration retention;

    /**
     * @param retention how long entries are kept; positive
     * @throws IllegalArgumentException when {@code retention} is zero or negative
     */
    public AuditLog(Store store, Clock clock, Duration retention) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
        if (retention.isZero() || retention.isNegative())
            throw new IllegalArgumentException("retention must be positive, got " + retention);
    }

    /**
     * Appends one entry stamped with the clock's current time.
     *
     * @param actor user name, or {@link AuditEntry#ANONYMOUS}
     * @param action stable dotted name, e.g. {@code workspace.create}
     * @param target what was acted on; empty when none
     * @param source client address; empty when unknown
     * @param outcome HTTP status or {@code ok}/{@code denied}/{@code error}
     */
    public void record(String actor, String action, String target, String source, String outcome) {
        try {
            store.audit().append(stamp(actor, action, target, source, outcome));
        } catch (RuntimeException e) {
            LOG.error("audit entry {} by {} not recorded: {}", action, actor, e.toString());
        }
    }

    /**
     * @return an unstored entry stamped with the clock's current time, its fields made printable
     * @throws IllegalArgumentException when {@code actor}, {@code action} or {@code outcome} is empty
     */
    AuditEntry stamp(String actor, String action, String target, String source, String outcome) {
        return AuditEntry.of(
                clock.instant(),
                printable(actor),
                printable(action),
                printable(target),
                printable(source),
                printable(outcome));
    }

    /**
     * Appends entries stamped earlier ({@link #stamp}) in one transaction; never throws (a failed
     * write is logged with the entries' actions and count, and they are lost).
     */
    void append(List<AuditEntry> entries) {
        if (entries.isEmpty()) return;
        try {
            store.inTransaction(tx -> {
                entries.forEach(tx.audit()::append);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error(
                    "{} audit entries ({}) not recorded: {}",
                    entries.size(),
                    entries.stream().map(AuditEntry::action).distinct().toList(),
                    e.toString());
        }
    }

    /** Longest text kept in one field; longer values (e.g. a fuzzed path) are cut, marked with {@code ...}. */
    static final int MAX_FIELD = 256;

    /**
     * @return {@code s} with control characters (NUL included, which no database stores alike)
     *     as {@code ?}, cut to {@link #MAX_FIELD} characters
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_FIELD + 3));
        for (int i = 0; i < s.length() && b.length() < MAX_FIELD; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        if (s.length() > MAX_FIELD) b.append("...");
        return b.toString();
    }

    /**
     * @param limit at most this many; 0 or more
     * @return entries matching {@code query}, newest first
     */
    public List<AuditEntry> list(AuditQuery query, int limit) {
        return store.audit().list(query, limit);
    }

    /**
     * Deletes the entries older than the clock's now minus {@link #retention()}. Idempotent; the
     * server calls it periodically, tests call it after moving the clock.
     *
     * @return how many entries were deleted
     */
    public int prune() {
        int n = store.audit().deleteBefore(clock.instant().minus(retention));
        if (n > 0) LOG.info("audit log: pruned {} entries older than {}", n, retention);
        return n;
    }

    /** @return how long entries are kept */
    public Duration retention() {
        return retention;
    }
}
