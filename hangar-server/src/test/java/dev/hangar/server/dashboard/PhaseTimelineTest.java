package dev.hangar.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.WorkspaceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-phase durations from the reconciler's phase events. */
class PhaseTimelineTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void eachPhaseEventStartsASpanAndTheLastLastsUntilNow() {
        List<WorkspaceEvent> events = List.of(
                new WorkspaceEvent(1, "w", T0, "alice", "created", "created from fake"),
                new WorkspaceEvent(2, "w", T0.plusSeconds(1), "system", "phase", "Pending -> Provisioning"),
                new WorkspaceEvent(3, "w", T0.plusSeconds(4), "system", "phase", "Provisioning -> Starting"),
                new WorkspaceEvent(4, "w", T0.plusSeconds(34), "system", "phase", "Starting -> Failed: <b>boom: x</b>"),
                new WorkspaceEvent(5, "w", T0.plusSeconds(40), "system", "phase", "garbage"));
        List<PhaseTimeline.Span> spans = PhaseTimeline.of(T0, events, T0.plusSeconds(100));
        assertThat(spans)
                .extracting(PhaseTimeline.Span::phase)
                .containsExactly(Phase.Pending, Phase.Provisioning, Phase.Starting, Phase.Failed);
        assertThat(spans)
                .extracting(PhaseTimeline.Span::duration)
                .containsExactly(
                        Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofSeconds(66));
    }

    @Test
    void durationsReadLikeAPerson() {
        assertThat(PhaseTimeline.human(Duration.ofMillis(4200))).isEqualTo("4.2s");
        assertThat(PhaseTimeline.human(Duration.ofSeconds(192))).isEqualTo("3m 12s");
        assertThat(PhaseTimeline.human(Duration.ofMinutes(125))).isEqualTo("2h 5m");
    }
}
