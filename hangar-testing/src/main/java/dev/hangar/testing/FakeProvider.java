package dev.hangar.testing;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceReset;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable stand-in for a real provider, for control-plane tests: nothing real can boot a
 * workspace in a unit test of the reconciler and the API, so this fake plays the provider's part
 * of the contract ({@link WorkspaceProvider}) and nothing more. Type {@value #TYPE}.
 *
 * <p>Like a real provider it keeps the state of its "resources" outside the control plane, in one
 * file per workspace under its data directory ({@code stopped} or {@code running}), so a
 * restarted control plane finds them again. Starting takes {@link #delayRunning(int)} apply
 * passes (observed as {@link Observation.Starting}) before {@link Observation.Running}. The SSH
 * endpoint it reports ({@code 127.0.0.1:22}) is a placeholder: no sshd is started.
 *
 * <p>Scripted failures: {@link #failNextApplies(int, boolean, String)} makes the next N {@code
 * apply} calls throw {@link ProviderException}, transient or permanent. Every call is recorded
 * ({@link #calls()}).
 *
 * <p>It lives only in hangar-testing and has no {@code META-INF/services} entry, so the shipped
 * server cannot select it. Thread-safe.
 */
public final class FakeProvider implements WorkspaceProvider {
    /** The provider type. */
    public static final String TYPE = "fake";

    /** The placeholder SSH endpoint reported while Running, unless {@link #sshEndpoint} set another. */
    public static final SshEndpoint SSH = new SshEndpoint("127.0.0.1", 22);

    /**
     * One recorded call.
     *
     * @param method {@code observe}, {@code apply}, {@code reset} or {@code delete}
     * @param workspaceName the spec's workspace name
     * @param desired for {@code apply}: the desired power state ({@code RUNNING} or {@code
     *     STOPPED}); empty otherwise
     * @param outcome the returned observation's simple class name, or {@code error: <message>}
     */
    public record Call(String method, String workspaceName, String desired, String outcome) {}

    private final Path dataDir;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> startingPassesLeft = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile boolean failPermanently;
    private volatile String failMessage = "";
    private volatile int delayRunning;
    private volatile boolean closed;
    private volatile SshEndpoint ssh = SSH;
    private final Map<String, SshEndpoint> sshByName = new ConcurrentHashMap<>();
    private final Map<String, String> failingByName = new ConcurrentHashMap<>();
    private final Map<String, WorkspaceSpec> lastSpecs = new ConcurrentHashMap<>();
    private volatile java.util.concurrent.CountDownLatch applyGate = new java.util.concurrent.CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger appliesInFlight =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Set<String> booted = ConcurrentHashMap.newKeySet();
    private volatile boolean suspendable;
    private volatile dev.hangar.provider.spi.NodeImages nodeImages;
    private final dev.hangar.provider.spi.WorkspaceSuspend suspend = spec -> {
        if (readState(spec.id()).isPresent()) writeMarker(spec.id(), true);
    };

    /** The detail of a suspended fake workspace: the state size a real provider would report. */
    public static final String SUSPENDED = "suspended, 1.2 GiB state";

    /**
     * @param dataDir where the fake keeps one state file per workspace; created if missing
     */
    public FakeProvider(Path dataDir) {
        this.dataDir = dataDir;
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes Running report {@code endpoint}, e.g. a real sshd a test started, so the SSH gateway
     * can relay to it.
     */
    public FakeProvider sshEndpoint(SshEndpoint endpoint) {
        this.ssh = java.util.Objects.requireNonNull(endpoint, "endpoint");
        return this;
    }

    /**
     * Makes Running report {@code endpoint} for the workspace named {@code workspaceName} (any
     * owner), instead of the one {@link #sshEndpoint(SshEndpoint)} set for all.
     */
    public FakeProvider sshEndpoint(String workspaceName, SshEndpoint endpoint) {
        sshByName.put(workspaceName, java.util.Objects.requireNonNull(endpoint, "endpoint"));
        return this;
    }

    /** @return the spec of the last apply for the workspace named {@code workspaceName} (any owner) */
    public Optional<WorkspaceSpec> lastSpec(String workspaceName) {
        return Optional.ofNullable(lastSpecs.get(workspaceName));
    }

    /**
     * Makes every later apply call wait until {@code gate} opens (count down to zero), to hold a
     * reconcile pass in flight.
     */
    public FakeProvider holdApplies(java.util.concurrent.CountDownLatch gate) {
        this.applyGate = java.util.Objects.requireNonNull(gate, "gate");
        return this;
    }

    /** @return how many apply calls are running right now */
    public int appliesInFlight() {
        return appliesInFlight.get();
    }

    /** Makes every later start report Starting for {@code passes} apply calls before Running. */
    public FakeProvider delayRunning(int passes) {
        if (passes < 0) throw new IllegalArgumentException("passes must be >= 0");
        this.delayRunning = passes;
        return this;
    }

    /**
     * Makes the next {@code n} apply calls throw.
     *
     * @param permanent whether the {@link ProviderException} says retrying cannot help
     * @param message the exception's message (shows up as the workspace's reason and events)
     */
    public FakeProvider failNextApplies(int n, boolean permanent, String message) {
        this.failPermanently = permanent;
        this.failMessage = message;
        this.failuresLeft.set(n);
        return this;
    }

    /**
     * Makes every apply of the workspace named {@code workspaceName} throw a permanent {@link
     * ProviderException} with {@code message} (e.g. one member of a lab), leaving others alone.
     */
    public FakeProvider failAppliesOf(String workspaceName, String message) {
        failingByName.put(workspaceName, message);
        return this;
    }

    /** @return every call so far, in order */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** @return the recorded calls of one method for one workspace */
    public List<Call> calls(String method, String workspaceName) {
        return calls.stream()
                .filter(c -> c.method().equals(method) && c.workspaceName().equals(workspaceName))
                .toList();
    }

    /** @return whether resources of the workspace exist (a state file is present) */
    public boolean exists(String workspaceId) {
        return Files.exists(stateFile(workspaceId));
    }

    /** @return true once {@link #close()} was called */
    public boolean closed() {
        return closed;
    }

    /**
     * Offers {@link #suspend()} (off by default, like Pods): {@code stop --suspend} then marks the
     * next stop, which leaves the workspace Stopped with detail {@value #SUSPENDED} (event {@code
     * fake-suspended}) until the next start (event {@code fake-resumed}).
     *
     * @return this
     */
    public FakeProvider suspendable() {
        this.suspendable = true;
        return this;
    }

    /**
     * Offers {@code images} as {@link #nodeImages()} (none by default, as for VMs): a stand-in for the
     * kubernetes provider's loader, for tests of the route and the CLI.
     *
     * @return this
     */
    public FakeProvider nodeImages(dev.hangar.provider.spi.NodeImages images) {
        this.nodeImages = images;
        return this;
    }

    @Override
    public Optional<dev.hangar.provider.spi.NodeImages> nodeImages() {
        return Optional.ofNullable(nodeImages);
    }

    @Override
    public Optional<dev.hangar.provider.spi.WorkspaceSuspend> suspend() {
        return suspendable ? Optional.of(suspend) : Optional.empty();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        Observation o = current(spec);
        calls.add(new Call("observe", spec.name(), "", o.getClass().getSimpleName()));
        return o;
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        appliesInFlight.incrementAndGet();
        try {
            applyGate.await();
            return applyNow(spec, desired, listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted", false);
        } finally {
            appliesInFlight.decrementAndGet();
        }
    }

    private Observation applyNow(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        lastSpecs.put(spec.name(), spec);
        SshEndpoint ssh = sshByName.getOrDefault(spec.name(), this.ssh);
        String failing = failingByName.get(spec.name());
        if (failing != null) {
            calls.add(new Call("apply", spec.name(), desired.name(), "error: " + failing));
            throw new ProviderException(failing, true);
        }
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            calls.add(new Call("apply", spec.name(), desired.name(), "error: " + failMessage));
            throw new ProviderException(failMessage, failPermanently);
        }
        Optional<String> state = readState(spec.id());
        if (state.isEmpty()) {
            listener.event("fake-created", "fake disk created");
            listener.phaseTiming("disk", Duration.ofMillis(5));
        }
        Observation o;
        if (desired == PowerState.STOPPED) {
            boolean suspendNow = state.equals(Optional.of("running")) && Files.exists(markerFile(spec.id()));
            boolean suspended = suspendNow || state.equals(Optional.of("suspended"));
            writeState(spec.id(), suspended ? "suspended" : "stopped");
            writeMarker(spec.id(), false);
            if (suspendNow) listener.event("fake-suspended", "fake memory saved (1.2 GiB)");
            startingPassesLeft.remove(spec.id());
            o = new Observation.Stopped(suspended ? SUSPENDED : "fake compute stopped");
        } else {
            writeMarker(spec.id(), false);
            if (state.equals(Optional.of("suspended"))) listener.event("fake-resumed", "fake memory restored");
            if (!state.equals(Optional.of("running"))) {
                writeState(spec.id(), "running");
                booted.remove(spec.id());
                startingPassesLeft.put(spec.id(), new AtomicInteger(delayRunning));
                listener.event("fake-boot", "fake compute started");
            }
            AtomicInteger left = startingPassesLeft.computeIfAbsent(spec.id(), k -> new AtomicInteger(delayRunning));
            if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                o = new Observation.Starting("fake boot, " + left.get() + " more pass(es)");
            } else {
                // Like a real provider: the boot timing is reported once per boot, not on every pass.
                if (left.get() == 0 && booted.add(spec.id())) listener.phaseTiming("boot", Duration.ofMillis(20));
                o = new Observation.Running(
                        ssh, ssh == SSH ? "fake sshd (not listening)" : "fake compute, sshd at " + ssh);
            }
        }
        calls.add(new Call("apply", spec.name(), desired.name(), o.getClass().getSimpleName()));
        return o;
    }

    /**
     * Offers {@link WorkspaceReset} as the contract says: a fresh fake disk (counted by {@link
     * #resets(String)}), the power state kept (a running workspace boots again: {@link
     * Observation.Starting}), a workspace without a disk left as it is.
     */
    @Override
    public Optional<WorkspaceReset> reset() {
        return Optional.of(resetter);
    }

    private final WorkspaceReset resetter = this::resetNow;
    private final Map<String, AtomicInteger> resetsByName = new ConcurrentHashMap<>();

    /** @return how many times the provider reset the named workspace's disk */
    public int resets(String workspaceName) {
        AtomicInteger n = resetsByName.get(workspaceName);
        return n == null ? 0 : n.get();
    }

    private Observation resetNow(WorkspaceSpec spec, ProviderListener listener) {
        Optional<String> state = readState(spec.id());
        Observation o;
        if (state.isEmpty()) {
            o = new Observation.Absent();
        } else {
            resetsByName.computeIfAbsent(spec.name(), k -> new AtomicInteger()).incrementAndGet();
            listener.event("fake-reset", "fake disk replaced by a fresh one");
            if (state.get().equals("running")) {
                booted.remove(spec.id());
                startingPassesLeft.put(spec.id(), new AtomicInteger(Math.max(1, delayRunning)));
                o = new Observation.Starting("fake boot after reset");
            } else {
                o = new Observation.Stopped("fake compute stopped, fresh disk");
            }
        }
        calls.add(new Call("reset", spec.name(), "", o.getClass().getSimpleName()));
        return o;
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        try {
            Files.deleteIfExists(stateFile(spec.id()));
            Files.deleteIfExists(markerFile(spec.id()));
        } catch (IOException e) {
            throw new ProviderException("cannot delete fake state: " + e.getMessage(), false, e);
        }
        startingPassesLeft.remove(spec.id());
        calls.add(new Call("delete", spec.name(), "", "Absent"));
        return new Observation.Absent();
    }

    @Override
    public void close() {
        closed = true;
    }

    private Observation current(WorkspaceSpec spec) {
        Optional<String> s = readState(spec.id());
        if (s.isEmpty()) return new Observation.Absent();
        if (s.get().equals("stopped")) return new Observation.Stopped("fake compute stopped");
        if (s.get().equals("suspended")) return new Observation.Stopped(SUSPENDED);
        AtomicInteger left = startingPassesLeft.get(spec.id());
        SshEndpoint ssh = sshByName.getOrDefault(spec.name(), this.ssh);
        return left != null && left.get() > 0
                ? new Observation.Starting("fake boot")
                : new Observation.Running(
                        ssh, ssh == SSH ? "fake sshd (not listening)" : "fake compute, sshd at " + ssh);
    }

    private Path markerFile(String id) {
        return dataDir.resolve(id + ".suspend-next-stop");
    }

    private void writeMarker(String id, boolean present) {
        try {
            if (present) Files.writeString(markerFile(id), "suspend", StandardCharsets.US_ASCII);
            else Files.deleteIfExists(markerFile(id));
        } catch (IOException e) {
            throw new ProviderException("cannot write fake suspend marker: " + e.getMessage(), false, e);
        }
    }

    private Path stateFile(String id) {
        return dataDir.resolve(id + ".state");
    }

    private Optional<String> readState(String id) {
        try {
            Path f = stateFile(id);
            return Files.exists(f)
                    ? Optional.of(Files.readString(f, StandardCharsets.US_ASCII).strip())
                    : Optional.empty();
        } catch (IOException e) {
            throw new ProviderException("cannot read fake state: " + e.getMessage(), false, e);
        }
    }

    private void writeState(String id, String state) {
        try {
            Files.writeString(stateFile(id), state, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ProviderException("cannot write fake state: " + e.getMessage(), false, e);
        }
    }
}
