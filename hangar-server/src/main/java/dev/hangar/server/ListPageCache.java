package dev.hangar.server;

import dev.hangar.core.domain.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Answers of {@code GET /api/v1/workspaces} kept as their JSON bytes, each under the workspace
 * write generation the store reported <em>before</em> its rows were read ({@link
 * dev.hangar.core.store.WorkspaceStore#generation()}, kept by the database itself: migration V21).
 * A lookup gives an answer only when its generation equals the one the store reports now, so an
 * answer is never older than the last committed write of any workspace row, by this server, another
 * replica or hand-made SQL. (Rows read after reading generation {@code g} are at least as new as
 * {@code g}; any later commit raises the generation and so misses.)
 *
 * <p>The key is everything the answer depends on besides the rows: the caller's name and role (the
 * visibility rule: members see only their own) and the raw query string (filters, {@code
 * owner=me}, {@code limit}, {@code continue}; the {@code Link} header echoes all of them). A list
 * row has no field computed at request time (the idle auto-stop state, which has, is only in {@code
 * GET /workspaces/{name}}). {@code Accept-Encoding} is not part of the key: an answer keeps its
 * identity bytes and, once a client asked for gzip, its gzip bytes beside them ({@link
 * Page#withGzip}), so a gzip client's hit costs no compression; both count against the same bound.
 *
 * <p>Memory is bounded: least recently used answers go first once the kept bytes would exceed
 * {@code maxBytes}, and an answer larger than {@link #MAX_ENTRY_BYTES} is not kept. Thread-safe.
 */
final class ListPageCache {
    /** Default bound of the bytes kept: about 80 first pages of 500 rows. */
    static final long DEFAULT_MAX_BYTES = 16L << 20;
    /** An answer larger than this is not kept (a page of 1,000 rows is about 400 KB). */
    static final int MAX_ENTRY_BYTES = 2 << 20;

    /** What a list answer depends on besides the workspace rows. */
    record Key(String caller, Role role, String query) {
        Key {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(query, "query");
        }
    }

    /**
     * One answer.
     *
     * @param generation the store's generation read before the rows
     * @param json the body, identity encoding
     * @param link the {@code Link} header's value, empty when there is no next page
     * @param gzip the body gzip-encoded; empty until a client asked for gzip ({@link #withGzip})
     */
    record Page(long generation, byte[] json, String link, byte[] gzip) {
        Page {
            Objects.requireNonNull(json, "json");
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(gzip, "gzip");
        }

        /** An answer without its gzip variant (made on the first request that asks for it). */
        Page(long generation, byte[] json, String link) {
            this(generation, json, link, new byte[0]);
        }

        /** @return whether the gzip variant is made */
        boolean hasGzip() {
            return gzip.length > 0;
        }

        /** @return this answer with its body's gzip variant (this one when it has it) */
        Page withGzip() {
            if (hasGzip()) return this;
            ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(json);
            } catch (IOException e) {
                throw new UncheckedIOException("gzip in memory cannot fail", e);
            }
            return new Page(generation, json, link, out.toByteArray());
        }
    }

    /** Told of every lookup (the server counts hits and misses in /metrics). */
    interface Listener {
        void lookup(boolean hit);
    }

    private final long maxBytes;
    private final Listener listener;
    // access order: iteration starts at the least recently used entry
    private final LinkedHashMap<Key, Page> pages = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    ListPageCache(long maxBytes, Listener listener) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must not be negative, got " + maxBytes);
        this.maxBytes = maxBytes;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** @return the answer kept for {@code key} if it was built at exactly {@code generation} */
    Optional<Page> get(Key key, long generation) {
        Page p;
        synchronized (this) {
            p = pages.get(key);
        }
        boolean hit = p != null && p.generation() == generation;
        listener.lookup(hit);
        return hit ? Optional.of(p) : Optional.empty();
    }

    /**
     * Keeps {@code page} for {@code key}, unless it is too large or an answer of a later generation
     * is already kept (a slow request must not replace a fresher answer). An answer of the same
     * generation is replaced, so this also adds an answer's gzip variant.
     */
    void put(Key key, Page page) {
        int size = sizeOf(key, page);
        if (size > MAX_ENTRY_BYTES || size > maxBytes) return;
        synchronized (this) {
            Page old = pages.get(key);
            if (old != null) {
                if (old.generation() > page.generation()) return;
                bytes -= sizeOf(key, old);
            }
            pages.put(key, page);
            bytes += size;
            for (Iterator<Map.Entry<Key, Page>> it = pages.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
                Map.Entry<Key, Page> e = it.next();
                bytes -= sizeOf(e.getKey(), e.getValue());
                it.remove();
            }
        }
    }

    /** @return the bytes kept now (bodies in both encodings, links and keys' query strings) */
    synchronized long bytes() {
        return bytes;
    }

    /** @return the number of answers kept now */
    synchronized int size() {
        return pages.size();
    }

    private static int sizeOf(Key key, Page page) {
        return page.json().length
                + page.gzip().length
                + page.link().length()
                + key.query().length();
    }
}
