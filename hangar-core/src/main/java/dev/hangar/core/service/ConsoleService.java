package dev.hangar.core.service;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.reconcile.WorkspaceSpecs;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.ConsoleLogUnavailableException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console use cases behind the API: who may use a workspace's console, how it is reached (the
 * serial console of VM kinds, or a shell through the provider's {@link WorkspaceTerminal} for kinds
 * without one, such as Pods), its log, and the {@code console-attach} / {@code console-detach}
 * events. The HTTP and
 * WebSocket plumbing (the byte relay, one client at a time) stays in the server. Thread-safe.
 *
 * <p>Visibility is {@link WorkspaceService#get}'s: the owner, or an admin naming the owner; a
 * workspace the caller may not see is not found.
 */
public final class ConsoleService {
    /** Phases in which a VM process runs, so its console can be reached. */
    private static final Set<Phase> VM_RUNS = Set.of(Phase.Starting, Phase.Running, Phase.Stopping);

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleService.class);

    /**
     * A console the caller may attach to.
     *
     * @param user who attaches
     * @param workspace the workspace as it was when resolved
     * @param access how the console reaches the workspace: its serial port or a shell
     */
    public record Target(User user, Workspace workspace, Access access) {
        public Target {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(access, "access");
        }
    }

    /** How a console reaches its workspace. */
    public sealed interface Access permits Serial, Shell {}

    /**
     * The guest's serial console, a byte stream without a size.
     *
     * @param endpoint where the provider serves it
     */
    public record Serial(ConsoleEndpoint endpoint) implements Access {
        public Serial {
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    /**
     * A shell with a TTY, opened per client ({@link WorkspaceProvider#terminal()}, e.g. the Kubernetes
     * exec API for Pods); it has a size.
     *
     * @param terminal the provider's terminal
     * @param spec the workspace as the provider knows it, for {@link WorkspaceTerminal#open}
     */
    public record Shell(WorkspaceTerminal terminal, WorkspaceSpec spec) implements Access {
        public Shell {
            Objects.requireNonNull(terminal, "terminal");
            Objects.requireNonNull(spec, "spec");
        }
    }

    private final WorkspaceService workspaces;
    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final HostCertificateAuthority hostCa;
    private final Clock clock;

    public ConsoleService(
            WorkspaceService workspaces,
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock) {
        this.workspaces = Objects.requireNonNull(workspaces);
        this.store = Objects.requireNonNull(store);
        this.templates = Objects.requireNonNull(templates);
        this.providers = Objects.requireNonNull(providers);
        this.hostCa = Objects.requireNonNull(hostCa);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Finds the console to attach to: the provider's serial console when it has one, else its
     * terminal. Reads only.
     *
     * @param owner the owner's name; empty for the actor
     * @throws dev.hangar.core.domain.NotFoundException when the workspace does not exist or the
     *     actor may not see it
     * @throws ProviderUnavailableException when its provider is not enabled on this server
     * @throws ConsoleUnavailableException {@link ConsoleUnavailableException.Why#NO_CONSOLE} when
     *     the provider has neither a console nor a terminal, {@link
     *     ConsoleUnavailableException.Why#NOT_RUNNING} (with the phase and reason, "is starting"
     *     while it starts) when no VM runs (serial: Starting, Running or Stopping) or the workspace is
     *     not Running (terminal: a shell needs the running container)
     */
    public Target attach(User actor, String owner, String name) {
        Workspace w = workspaces.get(actor, owner, name);
        WorkspaceProvider p = provider(w);
        WorkspaceSpec spec = spec(w);
        Optional<ConsoleEndpoint> serial = p.console(spec);
        if (serial.isPresent()) {
            if (!VM_RUNS.contains(w.phase()))
                throw new ConsoleUnavailableException(
                        ConsoleUnavailableException.Why.NOT_RUNNING, WorkspaceAdvice.notRunning(w));
            return new Target(actor, w, new Serial(serial.get()));
        }
        WorkspaceTerminal terminal = p.terminal().orElseThrow(() -> noConsole(w));
        if (w.phase() != Phase.Running)
            throw new ConsoleUnavailableException(
                    ConsoleUnavailableException.Why.NOT_RUNNING, WorkspaceAdvice.notRunning(w));
        return new Target(actor, w, new Shell(terminal, spec));
    }

    /**
     * The end of the workspace's serial log; works in every phase. Reads only.
     *
     * @param lines how many lines at most, 1 or more
     * @return the last lines, oldest first; empty when there is no log yet
     * @throws dev.hangar.core.domain.NotFoundException as {@link #attach}
     * @throws ProviderUnavailableException as {@link #attach}
     * @throws ConsoleUnavailableException ({@code NO_CONSOLE}) when the provider has no console or keeps
     *     no log of it; ({@code NOT_RUNNING}) when its log does not outlive the compute (KubeVirt) and
     *     none runs; the provider's message says which
     * @throws IllegalArgumentException when {@code lines} is below 1
     */
    public List<String> log(User actor, String owner, String name, int lines) {
        if (lines < 1) throw new IllegalArgumentException("lines must be 1 or more, got " + lines);
        Workspace w = workspaces.get(actor, owner, name);
        WorkspaceProvider p = provider(w);
        try {
            return p.consoleLog(spec(w), lines).orElseThrow(() -> noConsole(w));
        } catch (ConsoleLogUnavailableException e) {
            throw new ConsoleUnavailableException(
                    e.why() == ConsoleLogUnavailableException.Why.NOT_RUNNING
                            ? ConsoleUnavailableException.Why.NOT_RUNNING
                            : ConsoleUnavailableException.Why.NO_CONSOLE,
                    e.getMessage());
        }
    }

    /**
     * Checks that the console socket of a serial {@code t} exists before a client is told it is
     * connected: a workspace that is Starting may have no VM process yet (its image still
     * downloading), and a VM that exited leaves none. Reads the file system only. A {@link Shell} is
     * checked by opening it, so it passes here.
     *
     * @return {@code t}
     * @throws ConsoleUnavailableException {@link ConsoleUnavailableException.Why#NOT_RUNNING} with
     *     {@link #unreachable(Target)} when the socket does not exist
     */
    public Target requireSocket(Target t) {
        if (t.access() instanceof Serial s && !Files.exists(s.endpoint().socket()))
            throw new ConsoleUnavailableException(ConsoleUnavailableException.Why.NOT_RUNNING, unreachable(t));
        return t;
    }

    /**
     * Why the console socket of {@code t} could not be reached, as told to the client: the
     * workspace's current phase and reason (re-read; the VM may have stopped since {@link #attach}).
     * While the workspace is on its way to Running it "is starting" (try again later), not "start it".
     */
    public String unreachable(Target t) {
        Workspace w = store.workspaces().find(t.workspace().id()).orElse(t.workspace());
        if (VM_RUNS.contains(w.phase()) && !WorkspaceAdvice.starting(w)) {
            return "workspace " + w.name() + " has no running console (" + WorkspaceAdvice.state(w.phase(), w.reason())
                    + "); start it with 'hangar start " + w.name() + "'";
        }
        return WorkspaceAdvice.notRunning(w);
    }

    /** Records a {@code console-attach} event; never throws (a deleted workspace's event is dropped and logged). */
    public void attached(Target t, String from) {
        event(t, "console-attach", kind(t) + " attached by " + t.user().name() + " from " + from);
    }

    /**
     * Records a {@code console-detach} event; never throws.
     *
     * @param why how it ended, e.g. {@code closed by the client}
     * @param toGuest bytes sent to the guest
     * @param fromGuest bytes received from it
     */
    public void detached(Target t, String why, Duration attachedFor, long toGuest, long fromGuest) {
        event(
                t,
                "console-detach",
                kind(t) + " detached (" + why + ") after " + attachedFor.toSeconds() + " s, " + toGuest
                        + " bytes to the guest, " + fromGuest + " from it");
    }

    /** @return what the events call the console: {@code serial console} or {@code terminal} */
    private static String kind(Target t) {
        return t.access() instanceof Serial ? "serial console" : "terminal";
    }

    /** @return the current time, truncated to milliseconds as the store keeps it */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private void event(Target t, String type, String message) {
        try {
            store.events()
                    .append(new WorkspaceEvent(
                            0, t.workspace().id(), now(), t.user().name(), type, message));
        } catch (RuntimeException e) {
            // The workspace may have been deleted while the console was open.
            LOG.info("{} of workspace {} not recorded: {}", type, t.workspace().id(), e.getMessage());
        }
    }

    private WorkspaceProvider provider(Workspace w) {
        return providers
                .find(w.providerType())
                .orElseThrow(() -> new ProviderUnavailableException("provider '" + w.providerType() + "' of workspace "
                        + w.name() + " is not enabled on this server"));
    }

    private WorkspaceSpec spec(Workspace w) {
        return WorkspaceSpecs.of(w, templates.find(w.template()), store.users().keys(w.owner()), hostCa);
    }

    /** Why there is no console: the kind has neither a serial console nor a terminal (or it is turned off). */
    private static ConsoleUnavailableException noConsole(Workspace w) {
        return new ConsoleUnavailableException(
                ConsoleUnavailableException.Why.NO_CONSOLE,
                "workspace " + w.name() + " (provider " + w.providerType() + ") has no serial console"
                        + "; use 'hangar ssh " + w.name() + "'");
    }
}
