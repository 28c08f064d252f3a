package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.ConsoleLogUnavailableException;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who may use a console, when, what the refusals say, and the events: {@link ConsoleService} without HTTP. */
class ConsoleServiceTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final User ALICE = new User("alice", false, NOW);
    private static final User BOB = new User("bob", false, NOW);
    private static final User ADMIN = new User("root", true, NOW);
    private static final Path SOCKET = Path.of("/run/test/console.sock");

    private final InMemoryStore store = new InMemoryStore();
    private final TemplateCatalog templates = TemplateCatalog.of(
            List.of(WorkspaceServiceCreateTest.template("vm"), WorkspaceServiceCreateTest.template("pod")));
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final WorkspaceService workspaces = new WorkspaceService(store, templates, clock, id -> {}, "vm");
    private final ConsoleService consoles = new ConsoleService(
            workspaces,
            store,
            templates,
            ProviderRegistry.of(List.of(new ConsoleProvider("fake", Optional.of(List.of("boot", "login:"))))),
            HostCertificateAuthority.generate(),
            clock);

    /**
     * A provider whose workspaces have a console and a log when {@code log} is present, and
     * neither when it is empty (like the Pod provider); nothing else is called here.
     */
    private record ConsoleProvider(String type, Optional<List<String>> log) implements WorkspaceProvider {
        @Override
        public Observation observe(WorkspaceSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ConsoleEndpoint> console(WorkspaceSpec spec) {
            return log.map(l -> new ConsoleEndpoint(SOCKET));
        }

        @Override
        public Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
            return log.map(l -> l.subList(Math.max(0, l.size() - lines), l.size()));
        }

        @Override
        public void close() {}
    }

    private Workspace create(String name, Phase phase, String reason) {
        Workspace w = workspaces.create(ALICE, CreateWorkspace.named(name));
        return store.workspaces().update(w.withPhase(phase, reason, NOW));
    }

    @Test
    void theOwnerAndAnAdminReachARunningConsole() {
        create("dev", Phase.Running, "");
        ConsoleService.Target t = consoles.attach(ALICE, "", "dev");
        assertThat(t.access())
                .isInstanceOfSatisfying(
                        ConsoleService.Serial.class,
                        s -> assertThat(s.endpoint().socket()).isEqualTo(SOCKET));
        assertThat(t.user()).isEqualTo(ALICE);
        assertThat(consoles.attach(ADMIN, "alice", "dev").workspace().name()).isEqualTo("dev");
        assertThatThrownBy(() -> consoles.attach(BOB, "", "dev")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> consoles.attach(BOB, "alice", "dev")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aStartingOrStoppingVmHasAConsoleToo() {
        create("boot", Phase.Starting, "waiting for sshd");
        create("halt", Phase.Stopping, "");
        assertThat(consoles.attach(ALICE, "", "boot").workspace().phase()).isEqualTo(Phase.Starting);
        assertThat(consoles.attach(ALICE, "", "halt").workspace().phase()).isEqualTo(Phase.Stopping);
    }

    @Test
    void aMissingSocketIsRefusedWithTheStateAndStartingIsNotToldToStart() {
        create("fetching", Phase.Starting, "downloading image debian-12: 12 MiB");
        create("gone", Phase.Running, "sshd answered");
        assertThat(SOCKET).doesNotExist();
        ConsoleService.Target fetching = consoles.attach(ALICE, "", "fetching");
        assertThatThrownBy(() -> consoles.requireSocket(fetching))
                .isInstanceOfSatisfying(ConsoleUnavailableException.class, e -> {
                    assertThat(e.kind()).isEqualTo("not-running");
                    assertThat(e.getMessage())
                            .isEqualTo("workspace fetching is starting (phase Starting: downloading image debian-12:"
                                    + " 12 MiB); try again when it is Running ('hangar start fetching --wait' waits"
                                    + " for it)");
                });
        assertThatThrownBy(() -> consoles.requireSocket(consoles.attach(ALICE, "", "gone")))
                .hasMessage("workspace gone has no running console (phase Running: sshd answered); start it with"
                        + " 'hangar start gone'");
        assertThat(store.allEvents()).extracting(e -> e.type()).doesNotContain("console-attach");
    }

    @Test
    void withoutAVmTheRefusalSaysWhyBeforeAnyAttach() {
        create("off", Phase.Stopped, "");
        create("bad", Phase.Failed, "disk image is corrupt");
        create("new", Phase.Provisioning, "pulling image img-vm");
        assertThatThrownBy(() -> consoles.attach(ALICE, "", "off"))
                .isInstanceOfSatisfying(ConsoleUnavailableException.class, e -> {
                    assertThat(e.kind()).isEqualTo("not-running");
                    assertThat(e.getMessage())
                            .isEqualTo(
                                    "workspace off is not running (phase Stopped); start it with 'hangar start off'");
                });
        assertThatThrownBy(() -> consoles.attach(ALICE, "", "bad"))
                .hasMessage("workspace bad is not running (phase Failed: disk image is corrupt); start it with"
                        + " 'hangar start bad'");
        assertThatThrownBy(() -> consoles.attach(ALICE, "", "new"))
                .hasMessage("workspace new is starting (phase Provisioning: pulling image img-vm); try again when it"
                        + " is Running ('hangar start new --wait' waits for it)");
        assertThat(store.allEvents()).extracting(e -> e.type()).doesNotContain("console-attach");
    }

    @Test
    void aStoppingRequestIsNotStarting() {
        Workspace w = create("going", Phase.Pending, "");
        store.workspaces().update(w.withDesired(DesiredState.STOPPED, NOW));
        assertThatThrownBy(() -> consoles.attach(ALICE, "", "going"))
                .hasMessageContaining("is not running (phase Pending)");
    }

    @Test
    void aProviderWithoutConsoleIsSaidSoInEveryPhase() {
        ConsoleService plain = new ConsoleService(
                workspaces,
                store,
                templates,
                ProviderRegistry.of(List.of(new ConsoleProvider("fake", Optional.empty()))),
                HostCertificateAuthority.generate(),
                clock);
        create("pod", Phase.Stopped, "");
        for (Runnable r :
                List.<Runnable>of(() -> plain.attach(ALICE, "", "pod"), () -> plain.log(ALICE, "", "pod", 5))) {
            assertThatThrownBy(r::run).isInstanceOfSatisfying(ConsoleUnavailableException.class, e -> {
                assertThat(e.why()).isEqualTo(ConsoleUnavailableException.Why.NO_CONSOLE);
                assertThat(e.kind()).isEqualTo("no-console");
                assertThat(e.getMessage())
                        .isEqualTo("workspace pod (provider fake) has no serial console; use 'hangar ssh pod'");
            });
        }
    }

    @Test
    void aProviderThatCannotGiveItsLogNowOrAtAllIsAConflictWithItsOwnWords() {
        // As KubeVirt: the log lives in the VM's launcher pod (none while stopped), or the cluster keeps none.
        for (var why : ConsoleLogUnavailableException.Why.values()) {
            ConsoleService service = new ConsoleService(
                    workspaces,
                    store,
                    templates,
                    ProviderRegistry.of(List.of(new NoLogProvider(why))),
                    HostCertificateAuthority.generate(),
                    clock);
            String name =
                    "nolog-" + why.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            create(name, Phase.Stopped, "");
            assertThatThrownBy(() -> service.log(ALICE, "", name, 5))
                    .isInstanceOfSatisfying(ConsoleUnavailableException.class, e -> {
                        assertThat(e.why())
                                .isEqualTo(
                                        why == ConsoleLogUnavailableException.Why.NOT_RUNNING
                                                ? ConsoleUnavailableException.Why.NOT_RUNNING
                                                : ConsoleUnavailableException.Why.NO_CONSOLE);
                        assertThat(e.getMessage()).isEqualTo("no log: " + why);
                    });
        }
    }

    /** A provider with a console whose log it cannot give ({@code why}); nothing else is called here. */
    private record NoLogProvider(ConsoleLogUnavailableException.Why why) implements WorkspaceProvider {
        @Override
        public String type() {
            return "fake";
        }

        @Override
        public Observation observe(WorkspaceSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
            throw new ConsoleLogUnavailableException(why, "no log: " + why);
        }

        @Override
        public void close() {}
    }

    /** A kind with a terminal but no serial console (as Pods): nothing else is called here. */
    private record TerminalOnlyProvider(String type, dev.hangar.provider.spi.WorkspaceTerminal shell)
            implements WorkspaceProvider {
        @Override
        public Observation observe(WorkspaceSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<dev.hangar.provider.spi.WorkspaceTerminal> terminal() {
            return Optional.of(shell);
        }
    }

    @Test
    void aKindWithATerminalButNoSerialConsoleGetsAShellWhileRunning() {
        dev.hangar.provider.spi.WorkspaceTerminal shell = (spec, size) -> {
            throw new UnsupportedOperationException();
        };
        ConsoleService terminalOnly = new ConsoleService(
                workspaces,
                store,
                templates,
                ProviderRegistry.of(List.of(new TerminalOnlyProvider("fake", shell))),
                HostCertificateAuthority.generate(),
                clock);
        Workspace pod = create("pod", Phase.Running, "");
        ConsoleService.Target t = terminalOnly.attach(ALICE, "", "pod");
        assertThat(t.access()).isInstanceOfSatisfying(ConsoleService.Shell.class, s -> {
            assertThat(s.terminal()).isSameAs(shell);
            assertThat(s.spec().name()).isEqualTo("pod");
            assertThat(s.spec().owner()).isEqualTo("alice");
        });
        assertThat(terminalOnly.requireSocket(t)).isSameAs(t);
        terminalOnly.attached(t, "/127.0.0.1:5555");
        terminalOnly.detached(t, "closed by the client", Duration.ofSeconds(3), 9, 99);
        assertThat(store.events().list(pod.id(), 100))
                .extracting(e -> e.type() + ": " + e.message())
                .containsSubsequence(
                        "console-attach: terminal attached by alice from /127.0.0.1:5555",
                        "console-detach: terminal detached (closed by the client) after 3 s, 9 bytes to the guest,"
                                + " 99 from it");
        assertThatThrownBy(() -> terminalOnly.attach(BOB, "", "pod")).isInstanceOf(NotFoundException.class);

        // A shell needs the running container: Starting is not enough (unlike a VM's serial console).
        create("boot", Phase.Starting, "waiting for sshd");
        create("off", Phase.Stopped, "");
        assertThatThrownBy(() -> terminalOnly.attach(ALICE, "", "boot"))
                .isInstanceOfSatisfying(ConsoleUnavailableException.class, e -> {
                    assertThat(e.why()).isEqualTo(ConsoleUnavailableException.Why.NOT_RUNNING);
                    assertThat(e.getMessage())
                            .contains("workspace boot is starting (phase Starting: waiting for sshd)");
                });
        assertThatThrownBy(() -> terminalOnly.attach(ALICE, "", "off"))
                .isInstanceOfSatisfying(
                        ConsoleUnavailableException.class,
                        e -> assertThat(e.getMessage())
                                .isEqualTo(
                                        "workspace off is not running (phase Stopped); start it with 'hangar start off'"));
    }

    @Test
    void theLogWorksInEveryPhaseAndTheEventsAreRecorded() {
        Workspace w = create("dev", Phase.Stopped, "");
        assertThat(consoles.log(ALICE, "", "dev", 1)).containsExactly("login:");
        assertThat(consoles.log(ADMIN, "alice", "dev", 100)).containsExactly("boot", "login:");
        assertThatThrownBy(() -> consoles.log(ALICE, "", "dev", 0)).isInstanceOf(IllegalArgumentException.class);

        store.workspaces().update(store.workspaces().find(w.id()).orElseThrow().withPhase(Phase.Running, "", NOW));
        ConsoleService.Target t = consoles.attach(ALICE, "", "dev");
        consoles.attached(t, "/127.0.0.1:5555");
        consoles.detached(t, "closed by the client", Duration.ofSeconds(42), 7, 1234);
        assertThat(store.events().list(w.id(), 100))
                .extracting(e -> e.type() + ": " + e.message())
                .containsSubsequence(
                        "console-attach: serial console attached by alice from /127.0.0.1:5555",
                        "console-detach: serial console detached (closed by the client) after 42 s, 7 bytes to the"
                                + " guest, 1234 from it");
        // The VM went away between attach and connect: the reason re-reads the workspace.
        store.workspaces().update(store.workspaces().find(w.id()).orElseThrow().withPhase(Phase.Stopped, "", NOW));
        assertThat(consoles.unreachable(t))
                .isEqualTo("workspace dev is not running (phase Stopped); start it with 'hangar start dev'");
    }

    @Test
    void anUnknownProviderIsUnavailable() {
        ConsoleService without = new ConsoleService(
                workspaces,
                store,
                templates,
                ProviderRegistry.of(List.of()),
                HostCertificateAuthority.generate(),
                clock);
        create("dev", Phase.Running, "");
        assertThatThrownBy(() -> without.attach(ALICE, "", "dev"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("provider 'fake' of workspace dev is not enabled on this server");
    }
}
