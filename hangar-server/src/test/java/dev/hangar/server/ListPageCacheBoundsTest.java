package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ListPageCache} alone: an answer is given only at the generation it was built at, a slower
 * request of an older generation does not replace a fresher answer, memory stays within its bound
 * (least recently used first out, too large answers never kept), and every lookup is counted.
 * (Its use by the real route, on both databases: hangar-testing's {@code ListPageCacheTest}.)
 */
class ListPageCacheBoundsTest {
    private final List<Boolean> lookups = new ArrayList<>();

    private static ListPageCache.Key key(String caller) {
        return new ListPageCache.Key(caller, Role.MEMBER, "");
    }

    private static ListPageCache.Page page(long generation, int bytes) {
        return new ListPageCache.Page(generation, new byte[bytes], "");
    }

    @Test
    void anAnswerIsGivenOnlyAtItsOwnGenerationAndAnOlderOneNeverReplacesIt() {
        ListPageCache cache = new ListPageCache(1_000, lookups::add);
        cache.put(key("alice"), page(7, 10));
        assertThat(cache.get(key("alice"), 7)).isPresent();
        assertThat(cache.get(key("alice"), 8)).isEmpty();
        assertThat(cache.get(key("bob"), 7)).isEmpty();
        assertThat(cache.get(new ListPageCache.Key("alice", Role.AUDITOR, ""), 7))
                .isEmpty();
        assertThat(cache.get(new ListPageCache.Key("alice", Role.MEMBER, "limit=1"), 7))
                .isEmpty();

        cache.put(key("alice"), page(9, 20));
        cache.put(key("alice"), page(8, 30)); // a slow request that read generation 8
        assertThat(cache.get(key("alice"), 9))
                .hasValueSatisfying(p -> assertThat(p.json()).hasSize(20));
        assertThat(cache.bytes()).isEqualTo(20);
        assertThat(lookups).containsExactly(true, false, false, false, false, true);
    }

    @Test
    void theLeastRecentlyUsedAnswersGoFirstAndTooLargeOnesAreNotKept() {
        ListPageCache cache = new ListPageCache(300, lookups::add);
        cache.put(key("a"), page(1, 100));
        cache.put(key("b"), page(1, 100));
        cache.put(key("c"), page(1, 100));
        assertThat(cache.get(key("a"), 1)).isPresent(); // now b is the least recently used
        cache.put(key("d"), page(1, 100));
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.bytes()).isEqualTo(300);
        assertThat(cache.get(key("b"), 1)).isEmpty();
        assertThat(cache.get(key("a"), 1)).isPresent();

        cache.put(key("e"), page(1, 301));
        assertThat(cache.get(key("e"), 1)).isEmpty();
        assertThat(cache.bytes()).isEqualTo(300);
        ListPageCache big = new ListPageCache(ListPageCache.MAX_ENTRY_BYTES * 4L, lookups::add);
        big.put(key("f"), page(1, ListPageCache.MAX_ENTRY_BYTES + 1));
        assertThat(big.size()).isZero();
    }

    @Test
    void theGzipVariantIsKeptBesideThePlainBytesWithinTheSameBound() throws Exception {
        ListPageCache cache = new ListPageCache(10_000, lookups::add);
        byte[] json = "[{\"name\":\"a\"}]".repeat(200).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ListPageCache.Page plain = new ListPageCache.Page(3, json, "");
        cache.put(key("a"), plain);
        assertThat(cache.bytes()).isEqualTo(json.length);

        ListPageCache.Page both = plain.withGzip();
        assertThat(both.withGzip()).isSameAs(both);
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(both.gzip()))) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
        cache.put(key("a"), both);
        assertThat(cache.bytes()).isEqualTo(json.length + both.gzip().length);
        assertThat(cache.get(key("a"), 3))
                .hasValueSatisfying(p -> assertThat(p.hasGzip()).isTrue());

        // the gzip bytes count: a budget that fits only the plain answer keeps it without the variant
        ListPageCache tight = new ListPageCache(json.length + 10, lookups::add);
        tight.put(key("b"), both);
        assertThat(tight.size()).isZero();
        tight.put(key("b"), plain);
        assertThat(tight.size()).isEqualTo(1);
    }

    @Test
    void acceptEncodingIsReadWithItsWeights() {
        assertThat(WorkspaceRoutes.acceptsGzip("gzip")).isTrue();
        assertThat(WorkspaceRoutes.acceptsGzip("deflate, GZIP;q=0.5")).isTrue();
        assertThat(WorkspaceRoutes.acceptsGzip("br, *")).isTrue();
        assertThat(WorkspaceRoutes.acceptsGzip("x-gzip")).isTrue();
        assertThat(WorkspaceRoutes.acceptsGzip(null)).isFalse();
        assertThat(WorkspaceRoutes.acceptsGzip("")).isFalse();
        assertThat(WorkspaceRoutes.acceptsGzip("identity")).isFalse();
        assertThat(WorkspaceRoutes.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(WorkspaceRoutes.acceptsGzip("gzip; q=0.0, *")).isFalse();
        assertThat(WorkspaceRoutes.acceptsGzip("*;q=0")).isFalse();
        assertThat(WorkspaceRoutes.acceptsGzip("gzip;q=abc")).isFalse();
    }
}
