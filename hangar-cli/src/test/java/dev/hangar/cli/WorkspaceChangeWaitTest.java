package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.WorkspaceChangeWait;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The client's side of a held request's limits: what {@code waitSeconds} it sends for a wait. */
class WorkspaceChangeWaitTest {
    @Test
    void roundsUpToWholeSecondsWithinTheServersLimits() {
        assertThat(WorkspaceChangeWait.seconds(Duration.ZERO)).isEqualTo(1);
        assertThat(WorkspaceChangeWait.seconds(Duration.ofMillis(-5))).isEqualTo(1);
        assertThat(WorkspaceChangeWait.seconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(WorkspaceChangeWait.seconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(WorkspaceChangeWait.seconds(Duration.ofSeconds(10))).isEqualTo(10);
        assertThat(WorkspaceChangeWait.seconds(Duration.ofSeconds(25))).isEqualTo(WorkspaceChangeWait.MAX_SECONDS);
    }
}
