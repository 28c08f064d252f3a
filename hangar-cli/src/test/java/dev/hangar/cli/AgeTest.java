package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgeTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0s",
        "59, 59s",
        "119, 119s",
        "120, 2m",
        "200, 3m20s",
        "600, 10m",
        "10799, 179m",
        "10800, 3h",
        "18600, 5h10m",
        "28800, 8h",
        "172799, 47h",
        "172800, 2d",
        "277200, 3d5h",
        "691200, 8d",
        "63072000, 2y",
        "64000000, 2y10d",
        "252288000, 8y"
    })
    void formatsLikeKubectl(long seconds, String expected) {
        assertThat(Age.format(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void aTimeInTheFutureIsZero() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Age.between(now.plusSeconds(5), now)).isEqualTo("0s");
    }
}
