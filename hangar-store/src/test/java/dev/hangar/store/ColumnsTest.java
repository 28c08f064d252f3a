package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ValidationException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The column conversions every table store relies on, over boundaries and many seeded random values. */
class ColumnsTest {

    @Test
    void storedInstantIsTheInstantTruncatedToMillisAndNeverLater() {
        List<Instant> samples = new ArrayList<>(List.of(
                Instant.EPOCH,
                Instant.ofEpochSecond(-1, 999_999_999),
                Instant.ofEpochSecond(-1, 1),
                Instant.ofEpochSecond(0, 999_999),
                Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.ofEpochMilli(Long.MAX_VALUE),
                Instant.ofEpochMilli(Long.MIN_VALUE)));
        Random random = new Random(42);
        long from = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 10_000; i++) {
            samples.add(Instant.ofEpochSecond(
                    from + (long) (random.nextDouble() * (to - from)), random.nextInt(1_000_000_000)));
        }

        for (Instant at : samples) {
            Instant stored = Columns.stored("at", at);
            assertThat(stored).as("%s", at).isEqualTo(at.truncatedTo(ChronoUnit.MILLIS));
            assertThat(stored).isBeforeOrEqualTo(at);
            assertThat(ChronoUnit.NANOS.between(stored, at)).isLessThan(1_000_000);
            assertThat(Columns.millis("at", stored)).isEqualTo(Columns.millis("at", at));
            assertThat(Columns.stored("at", stored)).isEqualTo(stored);
        }
    }

    @Test
    void instantsBeyondEpochMillisecondsAreAClearValidationError() {
        for (Instant far : List.of(
                Instant.MAX, Instant.MIN, Instant.ofEpochMilli(Long.MAX_VALUE).plusMillis(1))) {
            assertThatThrownBy(() -> Columns.millis("createdAt", far))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("createdAt")
                    .extracting(e -> ((ValidationException) e).field())
                    .isEqualTo("createdAt");
        }
    }

    @Test
    void textPassesUnchangedUnlessItHoldsNul() {
        for (String ok : List.of("", "plain", "quote ' \" \\ ;", "line\nbreak", "語🚀", "\u0001\u007f")) {
            assertThat(Columns.text("reason", ok)).isSameAs(ok);
        }
        for (String bad : List.of("\0", "a\0", "\0b", "x\0y")) {
            assertThatThrownBy(() -> Columns.text("reason", bad))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("U+0000")
                    .extracting(e -> ((ValidationException) e).field())
                    .isEqualTo("reason");
        }
    }
}
