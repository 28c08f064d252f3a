package dev.hangar.core.autostop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.testfixtures.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Idle auto-stop with a clock that only moves when the test moves it: each activity source extends
 * the idle time, a lease keeps a workspace running, the warning comes once per idle period, the
 * stop goes through desired state with the reason {@code autostop}, and a start begins a new idle
 * period. Nothing waits.
 */
class AutostopSweepTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final Duration WARNING = Duration.ofMinutes(10);
    private static final User ALICE = new User("alice", Role.MEMBER, false, T0);
    private static final User BOB = new User("bob", Role.MEMBER, false, T0);

    private final TestClock clock = new TestClock(T0);
    private final InMemoryStore store = new InMemoryStore();
    private final List<String> enqueued = new ArrayList<>();
    private final TemplateCatalog templates = TemplateCatalog.of(
            List.of(template("idle1h", "autostop: 1h"), template("local", ""), template("idle30m", "autostop: 30m")));
    private final WorkspaceService workspaces = new WorkspaceService(store, templates, clock, enqueued::add);
    private final ActivityService activity = new ActivityService(
            store,
            templates,
            workspaces,
            clock,
            new ActivityService.Settings(Duration.ofMinutes(1), Duration.ofHours(8)));
    private final AutostopSweep sweep = new AutostopSweep(store, activity, clock, WARNING, enqueued::add);

    private static dev.hangar.core.template.Template template(String name, String extra) {
        String yaml = "name: " + name + "\nprovider: fake\nimage: img\n" + extra + "\n";
        return TemplateCatalog.parse(name + ".yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates a workspace and records it as Running, as the reconciler would. */
    private Workspace running(CreateWorkspace req) {
        Workspace w = workspaces.create(ALICE, req);
        return store.workspaces().update(w.withPhase(Phase.Running, "", clock.instant()));
    }

    private Workspace reload(Workspace w) {
        return store.workspaces().find(w.id()).orElseThrow();
    }

    private List<WorkspaceEvent> events(Workspace w, String type) {
        return store.events().list(w.id(), 1000).stream()
                .filter(e -> e.type().equals(type))
                .toList();
    }

    @Test
    void silenceWarnsOnceThenStopsThroughDesiredStateWithTheReasonAutostop() {
        Workspace w = running(CreateWorkspace.of("quiet", "idle1h"));
        enqueued.clear();

        clock.advance(Duration.ofMinutes(49));
        assertThat(sweep.sweep()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
        clock.advance(Duration.ofMinutes(1)); // 50m idle: 10m before the stop
        assertThat(sweep.sweep().warned()).containsExactly(w.id());
        clock.advance(Duration.ofMinutes(5));
        assertThat(sweep.sweep().warned()).isEmpty(); // once per idle period
        List<WorkspaceEvent> warnings = events(w, AutostopSweep.WARNING_EVENT);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).message()).startsWith("will stop in 10m (idle since " + T0 + ",");
        assertThat(warnings.get(0).at()).isEqualTo(T0.plus(Duration.ofMinutes(50)));
        assertThat(reload(w).desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(enqueued).isEmpty();

        clock.advance(Duration.ofMinutes(5)); // 60m idle
        assertThat(sweep.sweep().stopped()).containsExactly(w.id());
        Workspace stopped = reload(w);
        assertThat(stopped.desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(stopped.reason()).isEqualTo(Autostop.REASON);
        assertThat(enqueued).containsExactly(w.id());
        assertThat(events(w, "stop")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(WorkspaceEvent.SYSTEM);
            assertThat(e.message()).startsWith("stop requested by autostop: idle since " + T0);
        });
        // desired is stopped now: a later sweep leaves it alone
        clock.advance(Duration.ofHours(1));
        assertThat(sweep.sweep()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
    }

    @Test
    void eachActivitySourceExtendsTheIdleTime() {
        Workspace w = running(CreateWorkspace.of("busy", "idle1h"));
        for (ActivitySource source : List.of(ActivitySource.SSH, ActivitySource.CONSOLE, ActivitySource.USB)) {
            clock.advance(Duration.ofMinutes(45));
            activity.record(w.id(), source);
            clock.advance(Duration.ofMinutes(45)); // 90m of the 1h autostop without it; 45m since the activity
            assertThat(sweep.sweep()).as(source.name()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
        }
        assertThat(activity.status(reload(w)).lastActivity())
                .isEqualTo(clock.instant().minus(Duration.ofMinutes(45)));
        assertThat(activity.status(reload(w)).stopAt()).contains(clock.instant().plus(Duration.ofMinutes(15)));
        clock.advance(Duration.ofMinutes(15));
        assertThat(sweep.sweep().stopped()).containsExactly(w.id());
    }

    @Test
    void writesAreThrottledButTheNewestActivityCounts() {
        Workspace w = running(CreateWorkspace.of("chatty", "idle1h"));
        clock.advance(Duration.ofMinutes(2));
        activity.record(w.id(), ActivitySource.SSH); // written
        Instant written = clock.instant();
        clock.advance(Duration.ofSeconds(30));
        activity.record(w.id(), ActivitySource.SSH); // within the write interval: memory only
        assertThat(store.activity().find(w.id()).orElseThrow().lastActivity()).isEqualTo(written);
        assertThat(activity.current(reload(w)).lastActivity()).isEqualTo(clock.instant());
    }

    @Test
    void somethingHeldOpenKeepsItRunningAndReleaseStartsTheIdleTime() {
        Workspace w = running(CreateWorkspace.of("usb", "idle1h"));
        AtomicBoolean attached = new AtomicBoolean(true);
        activity.addHeldOpen(id -> id.equals(w.id()) && attached.get());
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(50));
            assertThat(sweep.sweep()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
        }
        attached.set(false);
        clock.advance(Duration.ofMinutes(50));
        assertThat(sweep.sweep().warned()).containsExactly(w.id());
        clock.advance(Duration.ofMinutes(10));
        assertThat(sweep.sweep().stopped()).containsExactly(w.id());
    }

    @Test
    void noStopWhileLeasedAndTheLeaseIsBoundedAndPrivate() {
        Workspace w = running(CreateWorkspace.of("job", "idle1h"));
        ActivityStatus leased = activity.lease(ALICE, "", "job", Duration.ofHours(3));
        assertThat(leased.leaseUntil()).contains(T0.plus(Duration.ofHours(3)));
        assertThat(leased.stopAt()).contains(T0.plus(Duration.ofHours(3)));
        assertThat(events(w, "keepalive")).hasSize(1);

        clock.advance(Duration.ofMinutes(170)); // 10m before the lease ends
        assertThat(sweep.sweep().warned()).containsExactly(w.id());
        clock.advance(Duration.ofMinutes(9));
        assertThat(sweep.sweep().stopped()).isEmpty();
        assertThat(reload(w).desired()).isEqualTo(DesiredState.RUNNING);
        clock.advance(Duration.ofMinutes(1));
        assertThat(sweep.sweep().stopped()).containsExactly(w.id());

        assertThatThrownBy(() -> activity.lease(ALICE, "", "job", Duration.ofHours(9)))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo("for");
                    assertThat(e.getMessage()).contains("8h");
                });
        assertThatThrownBy(() -> activity.lease(ALICE, "", "job", Duration.ZERO))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> activity.lease(BOB, "alice", "job", Duration.ofHours(1)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void aStartBeginsANewIdlePeriodWithItsOwnWarning() {
        Workspace w = running(CreateWorkspace.of("again", "idle1h"));
        clock.advance(Duration.ofMinutes(50));
        assertThat(sweep.sweep().warned()).containsExactly(w.id());
        clock.advance(Duration.ofMinutes(10));
        assertThat(sweep.sweep().stopped()).containsExactly(w.id());
        // the reconciler stops it...
        Workspace s = reload(w);
        store.workspaces().update(s.withPhase(Phase.Stopped, Autostop.REASON, clock.instant()));
        clock.advance(Duration.ofHours(5));
        // ...and the user starts it again
        workspaces.start(ALICE, "", "again");
        Workspace started = reload(w);
        store.workspaces().update(started.withPhase(Phase.Running, "", clock.instant()));
        assertThat(sweep.sweep()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
        clock.advance(Duration.ofMinutes(50));
        assertThat(sweep.sweep().warned()).containsExactly(w.id());
        assertThat(events(w, AutostopSweep.WARNING_EVENT)).hasSize(2);
    }

    @Test
    void aCreateOverrideReplacesTheTemplateSettingAndIsValidated() {
        Workspace off = running(CreateWorkspace.of("off", "idle1h").withAutostop("off"));
        Workspace shorter = running(CreateWorkspace.of("short", "local").withAutostop("30m"));
        Workspace local = running(CreateWorkspace.of("local", "local"));
        Workspace fromTemplate = running(CreateWorkspace.of("tmpl", "idle30m"));
        assertThat(activity.status(off).autostop()).isEqualTo(Autostop.OFF);
        assertThat(activity.status(off).stopAt()).isEmpty();
        assertThat(activity.status(shorter).autostop().wire()).isEqualTo("30m");
        clock.advance(Duration.ofMinutes(30));
        assertThat(sweep.sweep().stopped()).containsExactlyInAnyOrder(shorter.id(), fromTemplate.id());
        clock.advance(Duration.ofDays(3));
        assertThat(sweep.sweep().stopped()).isEmpty();
        assertThat(reload(off).desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(reload(local).desired()).isEqualTo(DesiredState.RUNNING);

        assertThatThrownBy(() -> workspaces.create(
                        ALICE, CreateWorkspace.of("bad", "local").withAutostop("soon")))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo("autostop");
                    assertThat(e.getMessage()).contains("'off' or a duration");
                });
        assertThatThrownBy(() -> workspaces.create(
                        ALICE, CreateWorkspace.of("tiny", "local").withAutostop("10s")))
                .isInstanceOfSatisfying(
                        ValidationException.class,
                        e -> assertThat(e.getMessage()).contains("at least 1m"));
        assertThat(store.workspaces().findByName("alice", "bad")).isEmpty();
    }

    @Test
    void aTemplateWithABadAutostopIsRejectedNamingTheField() {
        assertThatThrownBy(() -> template("broken", "autostop: sometimes"))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo("autostop");
                    assertThat(e.getMessage()).contains("broken.yaml").contains("'sometimes'");
                });
        assertThat(template("t", "autostop: off").autostop()).isEqualTo(Autostop.OFF);
        assertThat(template("t", "").autostop()).isEqualTo(Autostop.OFF);
        assertThat(template("t", "autostop: 1d").autostop().idle()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void shippedTemplatesHaveAutostopOnForKubernetesKindsOnly() {
        TemplateCatalog shipped = TemplateCatalog.load(java.nio.file.Path.of("does-not-exist"));
        for (var t : shipped.all()) {
            assertThat(t.autostop().enabled())
                    .as(t.name() + " (" + t.provider() + ")")
                    .isEqualTo(t.provider().equals("kubernetes"));
        }
    }
}
