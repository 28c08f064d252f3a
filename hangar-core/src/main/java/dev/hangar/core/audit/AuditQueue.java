package dev.hangar.core.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit entries off the caller's thread: {@link #offer} stamps the entry with the clock's
 * time (so its time is when it happened, not when it was written) and puts it in a bounded queue;
 * one writer thread takes what is queued and writes it in one transaction of at most {@value
 * #MAX_BATCH} entries. For entries a client can cause in bulk without being authenticated (a flood
 * of unknown bearer tokens answered 401): the request threads never wait for the database, and the
 * flood costs one write per batch instead of one per request.
 *
 * <p>What it gives up against {@link AuditLog#record}: an entry is on disk a moment after the answer
 * rather than before it, and when the queue is full (the writer cannot keep up) an entry is dropped
 * and counted ({@link #dropped()}, the server's {@code hangar_audit_dropped_total}; logged at each
 * power of two). Under normal load nothing is dropped: the writer drains {@value #MAX_BATCH}
 * entries per transaction. A kill -9 loses what was queued; {@link #close} writes everything
 * offered before it, and entries offered after it are written in the caller's thread.
 *
 * <p>Thread-safe; {@link #offer} never blocks on the database and never throws for a full queue.
 */
public final class AuditQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditQueue.class);

    /** The queue's size in the server: 4,096 entries (about 1 MiB at the fields' maximum length). */
    public static final int DEFAULT_CAPACITY = 4096;

    /** Most entries written in one transaction. */
    static final int MAX_BATCH = 256;

    /** Put after the last entry by {@link #close}: the writer writes what precedes it and ends. */
    private static final AuditEntry END = AuditEntry.of(java.time.Instant.EPOCH, "-", "-", "", "", "-");

    private final AuditLog log;
    private final BlockingQueue<AuditEntry> queue;
    private final AtomicLong dropped = new AtomicLong();
    // offers hold the read lock, close the write lock: once closed, no offer reaches the queue
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private final Thread writer;
    private boolean closed;

    /**
     * Starts the writer on a virtual thread named {@code audit-writer}.
     *
     * @param capacity how many entries may wait for the writer; at least 1
     * @throws IllegalArgumentException when {@code capacity} is less than 1
     */
    public AuditQueue(AuditLog log, int capacity) {
        this(log, capacity, Thread.ofVirtual().name("audit-writer").factory());
    }

    /** As above, the writer made by {@code threads} (a test holds it back to fill the queue). */
    AuditQueue(AuditLog log, int capacity, ThreadFactory threads) {
        this.log = Objects.requireNonNull(log, "log");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = threads.newThread(this::drain);
        writer.start();
    }

    /**
     * Queues one entry stamped with the audit log's clock now (fields as in {@link AuditLog#record}).
     *
     * @return false when the queue was full and the entry was dropped (and counted)
     */
    public boolean offer(String actor, String action, String target, String source, String outcome) {
        AuditEntry entry;
        try {
            entry = log.stamp(actor, action, target, source, outcome);
        } catch (RuntimeException e) {
            LOG.error("audit entry {} by {} not recorded: {}", action, actor, e.toString());
            return false;
        }
        closing.readLock().lock();
        try {
            if (!closed) {
                if (queue.offer(entry)) return true;
                long n = dropped.incrementAndGet();
                if (Long.bitCount(n) == 1)
                    LOG.warn("audit queue full: {} entries dropped so far (this one: {})", n, entry.action());
                return false;
            }
        } finally {
            closing.readLock().unlock();
        }
        log.append(List.of(entry));
        return true;
    }

    /** @return how many entries were dropped because the queue was full, since start */
    public long dropped() {
        return dropped.get();
    }

    private void drain() {
        List<AuditEntry> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("audit writer interrupted; {} queued entries not written", queue.size());
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean end = batch.removeIf(e -> e == END);
            log.append(batch);
            batch.clear();
            if (end) return;
        }
    }

    /**
     * Writes every entry offered before this call and stops the writer; later offers are written in
     * the caller's thread. Idempotent.
     */
    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        try {
            // no offer reaches the queue any more: END goes in as soon as the writer makes room
            queue.put(END);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
