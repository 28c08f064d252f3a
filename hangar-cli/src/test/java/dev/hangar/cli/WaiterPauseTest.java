package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --wait}'s poll schedule: fast at first (a resume is Running in about a second), then the usual interval. */
class WaiterPauseTest {
    private static final Duration USUAL = CliContext.DEFAULT_POLL_INTERVAL;

    @Test
    void pollsEvery20MillisecondsDuringTheFirstThreeSeconds() {
        assertThat(Waiter.pause(Duration.ZERO, USUAL)).isEqualTo(Duration.ofMillis(20));
        assertThat(Waiter.pause(Duration.ofMillis(2_999), USUAL)).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void thenPollsAtTheUsualInterval() {
        assertThat(Waiter.pause(Duration.ofMillis(3_000), USUAL)).isEqualTo(USUAL);
        assertThat(Waiter.pause(Duration.ofMinutes(20), USUAL)).isEqualTo(USUAL);
    }

    @Test
    void aShorterUsualIntervalIsKeptFromTheStart() {
        Duration short10 = Duration.ofMillis(10);

        assertThat(Waiter.pause(Duration.ZERO, short10)).isEqualTo(short10);
    }

    @Test
    void aLongWaitCostsAtMost150PollsMoreThanTheUsualSchedule() {
        Duration wait = Duration.ofSeconds(30);
        long polls = 0;
        for (Duration t = Duration.ZERO; t.compareTo(wait) < 0; t = t.plus(Waiter.pause(t, USUAL))) polls++;
        long usual = wait.toMillis() / USUAL.toMillis();

        assertThat(polls - usual).isBetween(0L, 150L);
    }
}
