package dev.hangar.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.Lifecycle.Action;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every (from, to) phase pair and every (action, phase, desired) triple, checked against a table written out here. */
class LifecycleTest {

    /** The allowed transitions, written independently of {@link Lifecycle}'s own table. */
    private static Set<Phase> expectedNext(Phase from) {
        Set<Phase> next = switch (from) {
            case Pending -> EnumSet.of(Phase.Provisioning, Phase.Stopped);
            case Provisioning -> EnumSet.of(Phase.Starting, Phase.Running, Phase.Stopped);
            case Starting -> EnumSet.of(Phase.Running, Phase.Stopping, Phase.Stopped);
            case Running -> EnumSet.of(Phase.Starting, Phase.Stopping, Phase.Stopped);
            case Stopping -> EnumSet.of(Phase.Stopped, Phase.Starting, Phase.Running);
            case Stopped -> EnumSet.of(Phase.Provisioning, Phase.Starting, Phase.Running, Phase.Stopping);
            case Deleting -> EnumSet.noneOf(Phase.class);
            case Failed -> EnumSet.of(Phase.Provisioning, Phase.Starting, Phase.Running, Phase.Stopping, Phase.Stopped);
        };
        if (from != Phase.Deleting) next.add(Phase.Deleting);
        next.add(Phase.Failed);
        next.add(from);
        return next;
    }

    @Test
    void everyPhasePairIsAllowedExactlyWhenTheTableSaysSo() {
        int checked = 0;
        for (Phase from : Phase.values()) {
            for (Phase to : Phase.values()) {
                boolean expected = expectedNext(from).contains(to);
                assertThat(Lifecycle.canTransition(from, to))
                        .as(from + " -> " + to)
                        .isEqualTo(expected);
                if (expected) {
                    assertThatCode(() -> Lifecycle.checkTransition(from, to)).doesNotThrowAnyException();
                } else {
                    assertThatThrownBy(() -> Lifecycle.checkTransition(from, to))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining(from.name())
                            .hasMessageContaining(to.name());
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(Phase.values().length * Phase.values().length);
    }

    @Test
    void nothingReturnsToPendingAndDeletingOnlyEndsInFailure() {
        for (Phase from : Phase.values()) {
            if (from != Phase.Pending)
                assertThat(Lifecycle.canTransition(from, Phase.Pending))
                        .as(from + " -> Pending")
                        .isFalse();
        }
        for (Phase to : Phase.values()) {
            assertThat(Lifecycle.canTransition(Phase.Deleting, to))
                    .isEqualTo(to == Phase.Deleting || to == Phase.Failed);
        }
    }

    @Test
    void everyActionInEveryStateIsAcceptedOrRefusedAsSpecified() {
        int checked = 0;
        for (Action action : Action.values()) {
            for (Phase phase : Phase.values()) {
                for (DesiredState desired : DesiredState.values()) {
                    boolean deleting = desired == DesiredState.DELETED || phase == Phase.Deleting;
                    boolean allowed = deleting
                            ? action == Action.DELETE
                            : action != Action.RESTART || desired == DesiredState.RUNNING;
                    String what = action + " in " + phase + "/" + desired;
                    if (allowed) {
                        assertThatCode(() -> Lifecycle.checkAction(action, phase, desired))
                                .as(what)
                                .doesNotThrowAnyException();
                    } else {
                        assertThatThrownBy(() -> Lifecycle.checkAction(action, phase, desired))
                                .as(what)
                                .isInstanceOf(LifecycleConflictException.class)
                                .hasMessageMatching(".*(being deleted|use start).*");
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(Action.values().length * Phase.values().length * DesiredState.values().length);
    }

    @Test
    void wireFormsRoundTripAndBadValuesAreNamed() {
        for (DesiredState d : DesiredState.values())
            assertThat(DesiredState.fromWire(d.wire())).isEqualTo(d);
        for (Phase p : Phase.values())
            assertThat(Phase.parse(p.name().toLowerCase(java.util.Locale.ROOT))).isEqualTo(p);
        assertThatThrownBy(() -> DesiredState.fromWire("paused")).hasMessageContaining("running, stopped, deleted");
        assertThatThrownBy(() -> Phase.parse("Sleeping")).hasMessageContaining("Running");
    }
}
