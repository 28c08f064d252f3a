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
}
