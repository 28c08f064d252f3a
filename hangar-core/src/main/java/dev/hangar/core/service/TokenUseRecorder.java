package dev.hangar.core.service;

import dev.hangar.core.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes API tokens' last-used times off the request path (issue #18 item 7; bench/README.md
 * AuthBench): {@link #record} only notes the use in memory and returns; one background virtual
 * thread writes everything noted so far in one transaction, then goes back to sleep until the next
 * use. Several uses of one token before a write collapse into the latest. The write keeps the store's
 * guard ({@code touchToken} with {@code unlessSince}), so a late batch never moves a time back.
 *
 * <p>What this gives up: a last-used time is on disk a moment after the request rather than before
 * its answer, and a crash (kill -9) loses the uses noted since the last write: at most the latest
 * use of each token in that moment; a clean {@link #close} writes them. Last-used is advisory (shown
 * in {@code hangar token list}); authentication never reads it.
 *
 * <p>A failed write is logged with the token ids only (never a secret) and dropped. Thread-safe.
 */
public final class TokenUseRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenUseRecorder.class);

    private final Store store;
    private final Duration granularity;
    private final boolean background;
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final java.util.concurrent.locks.ReentrantLock flushing = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean closed;

    private TokenUseRecorder(Store store, Duration granularity, boolean background) {
        this.store = Objects.requireNonNull(store, "store");
        this.granularity = Objects.requireNonNull(granularity, "granularity");
        this.background = background;
    }

    /**
     * @param granularity a token's time is written only when the stored one is older than this
     * @return a recorder that writes on a background virtual thread; close it on shutdown
     */
    public static TokenUseRecorder background(Store store, Duration granularity) {
        return new TokenUseRecorder(store, granularity, true);
    }

    /**
     * @return a recorder that writes in the caller's thread before {@link #record} returns (inside
     *     a transaction, or where a test reads the time right after a request)
     */
    public static TokenUseRecorder direct(Store store, Duration granularity) {
        return new TokenUseRecorder(store, granularity, false);
    }

    /**
     * Notes that token {@code id} authenticated a request at {@code at}. A background recorder
     * returns at once; after {@link #close} it writes in the caller's thread.
     */
    public void record(String id, Instant at) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        if (!background || closed) {
            store.users().touchToken(id, at, at.minus(granularity));
            return;
        }
        pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b);
        if (scheduled.compareAndSet(false, true))
            Thread.ofVirtual().name("token-last-used").start(this::flush);
    }

    /**
     * Writes everything noted so far; returns when it is on disk (or its write failed), also when
     * another flush had already taken it (flushes run one at a time).
     */
    public void flush() {
        flushing.lock();
        try {
            writeBatch();
        } finally {
            flushing.unlock();
        }
    }

    private void writeBatch() {
        // cleared first: a use noted while this batch is written schedules the next one
        scheduled.set(false);
        if (pending.isEmpty()) return;
        Map<String, Instant> batch = new java.util.HashMap<>();
        for (String id : pending.keySet()) {
            Instant at = pending.remove(id);
            if (at != null) batch.put(id, at);
        }
        try {
            store.inTransaction(tx -> {
                batch.forEach((id, at) -> tx.users().touchToken(id, at, at.minus(granularity)));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("last-used time of tokens {} not written: {}", batch.keySet(), e.toString());
        }
    }

    /** Writes what is still noted; later uses are written in the caller's thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        flush();
    }
}
