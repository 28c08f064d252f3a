package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.DeletionTimer;
import dev.hangar.provider.kubernetes.KubernetesProvider;
import dev.hangar.provider.kubernetes.NamedDeletion;
import dev.hangar.provider.kubernetes.ObjectApplier;
import dev.hangar.provider.kubernetes.ServiceClusterIp;
import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * KubeVirt VM workspaces: provider type {@value #TYPE}.
 *
 * <p><b>Discovery.</b> Before its first write or read the provider asks the API server whether it
 * serves {@code kubevirt.io/v1} and {@code cdi.kubevirt.io/v1beta1} ({@link KubevirtApi#missing});
 * when not, every call fails permanently with a message naming what to install. A positive answer
 * is kept for the provider's life; a server can start while the cluster is unreachable.
 *
 * <p><b>Apply</b> writes the objects of {@link KubevirtManifests} at about kubectl's cost (one
 * unforced server-side apply per object as the workspace's own field manager; {@link
 * dev.hangar.provider.kubernetes.ServerSideApplier}). For a stop, or a workspace this provider has
 * written before, the VirtualMachine first (its answer carries the uid the Secret, Service and
 * DataVolume point to as owner), then those three at once (they refer to the VM, not to each other:
 * {@link VmObjectApplier#applyAll}). For a start of a workspace it has not written yet, or
 * one whose root disk needs checking, it reads the VirtualMachine once; a missing one is checked,
 * written with {@code runStrategy: Halted}, then the dependents, then the VirtualMachine with {@code
 * Always} for {@link PowerState#RUNNING}, so the VM never starts before its Secret and disk exist.
 * Start and stop only change {@code runStrategy}: KubeVirt creates or deletes the
 * VirtualMachineInstance, the DataVolume and its PersistentVolumeClaim stay. A restart is the control
 * plane's stop then start, so it runs a new VMI (the {@code restart} subresource is not used). Before
 * writing anything, an unknown catalog image, a missing golden PVC and a missing StorageClass (when
 * the cluster lets Hangar read StorageClasses) fail permanently, so nothing is left behind. The
 * observation {@code apply} returns starts from the writes' answers (VM, DataVolume); the VMI is read
 * only when the mapping can depend on it.
 *
 * <p><b>Observe</b> reads the VirtualMachine, its VMI and the DataVolume and maps them with {@link
 * VmObservations}. Running additionally needs the guest's sshd to answer with the pinned host key
 * and certificate ({@link SshCheck}): with {@code service-routable=true} at the Service's
 * ClusterIP:22; otherwise at a loopback port-forward the provider keeps per running workspace
 * ({@link VmiStreamRelay}: KubeVirt's VMI {@code portforward} subresource, one WebSocket per TCP
 * connection), and that endpoint is what Running reports to the gateway. The forward is re-created
 * for a new VMI or when its listener died, and closed when the VM is observed not running, on delete
 * and on {@link #close()}.
 *
 * <p><b>Console</b>: {@link #console} relays a unix socket to the VMI's {@code console} subresource
 * (the guest's first serial port, as {@code virtctl console} reads it; {@link VmiConsoles}); {@link
 * #consoleLog} reads the virt-launcher pod's {@code guest-console-log} container ({@link
 * LauncherConsoleLog}).
 *
 * <p><b>Delete</b> closes the workspace's port-forward and console and lets {@link VmDeletion} remove
 * its VirtualMachine, DataVolume, PersistentVolumeClaim, Secret and Service (by name, each request also
 * selecting the {@code hangar.dev/workspace-id} label) and nothing else.
 *
 * <p>API access used: get/create/patch/deletecollection on kubevirt.io virtualmachines, cdi.kubevirt.io
 * datavolumes and secrets; get/create/patch/delete on services; get on kubevirt.io
 * virtualmachineinstances; get/delete on persistentvolumeclaims; get on cdi.kubevirt.io datasources (clones); get on subresources.kubevirt.io
 * virtualmachineinstances/portforward (when the Service is not routable) and
 * virtualmachineinstances/console (consoles); list on pods and get on pods/log (console log); get on
 * storage.k8s.io
 * storageclasses (optional); API discovery. {@code deploy/base/rbac.yaml} grants exactly these.
 *
 * <p>Errors: as for the Pod provider ({@link KubernetesProvider#translate}). Thread-safe; calls for
 * different workspaces may run concurrently.
 */
public final class KubevirtProvider implements WorkspaceProvider {
    /** The provider type. */
    public static final String TYPE = "kubevirt";

    private final KubernetesClient client;
    private final KubevirtSettings settings;
    private final KubevirtManifests manifests;
    private final KubevirtManifestRenderer renderer;
    private final VmObjectApplier applier;
    private final SshCheck ssh;
    private final VmiPortForwards portForwards;
    private final VmiConsoles consoles;
    private final LauncherConsoleLog consoleLog;
    private final RootDiskPreconditions rootDisks;
    private final VmDeletion deletion;
    private final DeletionTimer deletionTimer;
    private final Clock clock;
    private final boolean ownsClient;
    private final AtomicBoolean discovered = new AtomicBoolean();
    /** The runStrategy this provider last wrote per workspace id, so a known workspace's apply needs no read. */
    private final java.util.concurrent.ConcurrentMap<String, String> written =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Probes sshd at an endpoint for the workspace's pinned host identity.
     *
     * <p>Implementations are thread-safe.
     */
    @FunctionalInterface
    public interface SshCheck extends AutoCloseable {
        /**
         * @return Running when sshd at {@code endpoint} presented the pinned host key (and its
         *     certificate), else Starting with what was found
         */
        Observation check(WorkspaceSpec spec, SshEndpoint endpoint);

        /** Releases the probe's resources; default: nothing. */
        @Override
        default void close() {}
    }

    /**
     * @param client the API client; closed by {@link #close()} when {@code ownsClient}
     * @param settings the provider settings
     * @param catalog the OS image catalog
     * @param ssh the sshd probe used before reporting Running
     * @param clock used for phase timings
     * @param ownsClient whether {@link #close()} closes {@code client}
     * @param consoleDir where the serial console sockets live ({@link #console}); created on first use
     */
    public KubevirtProvider(
            KubernetesClient client,
            KubevirtSettings settings,
            ImageCatalog catalog,
            SshCheck ssh,
            Clock clock,
            boolean ownsClient,
            Path consoleDir) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.manifests = new KubevirtManifests(settings, catalog);
        this.renderer = new KubevirtManifestRenderer(manifests);
        this.applier = new VmObjectApplier(client, settings.cluster().applyMode());
        this.ssh = Objects.requireNonNull(ssh, "ssh");
        this.portForwards = new VmiPortForwards(client, KubevirtManifests.SSH_PORT);
        this.consoles = new VmiConsoles(client, consoleDir);
        this.consoleLog = new LauncherConsoleLog(client);
        this.rootDisks = new RootDiskPreconditions(client, settings);
        this.deletion = new VmDeletion(client, settings.namespace());
        this.deletionTimer = new DeletionTimer(clock);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ownsClient = ownsClient;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The objects of a running workspace, built without cluster access ({@link
     * KubevirtManifestRenderer}): no API discovery either, so a dry run works while the cluster is
     * unreachable.
     */
    @Override
    public Optional<ManifestRenderer> manifests() {
        return Optional.of(renderer);
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        String ns = settings.namespace();
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        Instant start = clock.instant();
        GenericKubernetesResource vm;
        GenericKubernetesResource disk;
        try {
            requireKubevirt();
            KubevirtObjects objects = manifests.build(spec, desired);
            String vmName = objects.virtualMachine().getMetadata().getName();
            String before = written.get(spec.id());
            boolean unknown = before == null;
            boolean created;
            if (unknown && (desired == PowerState.RUNNING || rootDisks.reads(spec))) {
                // First sight of a workspace to run, or whose root disk needs checking before it is created:
                // whether the VM exists decides. A new one is checked, written Halted (the VM must not start
                // before its Secret and disk exist, and those need its uid), then started.
                GenericKubernetesResource live = vms().withName(vmName).get();
                GenericKubernetesResource owner;
                if (live == null) {
                    rootDisks.check(spec);
                    var halted = applier.write(objects.withRunStrategy(KubevirtManifests.RUN_HALTED)
                            .virtualMachine());
                    owner = (GenericKubernetesResource) halted.object();
                    created = halted.created();
                } else {
                    ObjectApplier.requireSameWorkspace(live, objects.virtualMachine());
                    owner = live;
                    created = false;
                    before = ObservedVm.text(live, "spec", "runStrategy").orElse(null);
                }
                KubevirtObjects owned = objects.ownedBy(owner);
                disk = applyDependents(owned);
                vm = (GenericKubernetesResource) applier.apply(owned.virtualMachine());
            } else {
                // Stopping, or a workspace written before: the VM first (its answer carries the uid the
                // dependents point to).
                var applied = applier.write(objects.virtualMachine());
                vm = (GenericKubernetesResource) applied.object();
                created = applied.created();
                if (unknown && !created) {
                    // Not written by this process yet: what KubeVirt last reported stands for the old state.
                    before = ObservedVm.text(vm, "status", "created")
                                    .map(Boolean::parseBoolean)
                                    .orElse(false)
                            ? KubevirtManifests.RUN_ALWAYS
                            : KubevirtManifests.RUN_HALTED;
                }
                disk = applyDependents(objects.ownedBy(vm));
            }
            String after = ObservedVm.text(vm, "spec", "runStrategy").orElse("");
            written.put(spec.id(), after);
            if (created) listener.event("kubevirt-created", "created VirtualMachine " + ns + "/" + vmName);
            if (!after.equals(before) && !(created && after.equals(KubevirtManifests.RUN_HALTED))) {
                listener.event(
                        desired == PowerState.RUNNING ? "kubevirt-started" : "kubevirt-stopped",
                        "set runStrategy of VirtualMachine " + ns + "/" + vmName + " to " + after);
            }
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("applying workspace " + spec.owner() + "/" + spec.name(), e);
        }
        listener.phaseTiming("apply", Duration.between(start, clock.instant()));
        // The observation starts from what the writes answered: no second read of the VM or DataVolume.
        try {
            return observed(spec, names, vm, disk);
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("observing workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /**
     * Writes the Secret, Service and DataVolume together ({@link VmObjectApplier#applyAll}: they refer
     * to the VM, not to each other, so the three requests need not wait for one another); returns the
     * DataVolume as the API server answered.
     */
    private GenericKubernetesResource applyDependents(KubevirtObjects owned) {
        List<HasMetadata> dependents = owned.dependents();
        return (GenericKubernetesResource) applier.applyAll(dependents).get(dependents.indexOf(owned.rootDisk()));
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        try {
            requireKubevirt();
            GenericKubernetesResource vm =
                    vms().withName(names.virtualMachine()).get();
            if (vm == null) {
                portForwards.close(spec.id());
                List<HasMetadata> left = deletion.leftovers(spec);
                return left.isEmpty()
                        ? new Observation.Absent()
                        : new Observation.Stopping("leftover objects " + NamedDeletion.describe(left));
            }
            GenericKubernetesResource disk = client.genericKubernetesResources(KubevirtApi.DATA_VOLUME)
                    .inNamespace(settings.namespace())
                    .withName(names.rootDisk())
                    .get();
            return observed(spec, names, vm, disk);
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("observing workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /**
     * Maps a present VM and its DataVolume (read, or answered by a write) to an observation, reading the
     * VMI only when the mapping can depend on it: not for a Halted VM whose status is empty or Stopped.
     */
    private Observation observed(
            WorkspaceSpec spec, KubevirtNames names, GenericKubernetesResource vm, GenericKubernetesResource dvOrNull) {
        boolean halted = KubevirtManifests.RUN_HALTED.equals(
                ObservedVm.text(vm, "spec", "runStrategy").orElse(""));
        String printable = ObservedVm.text(vm, "status", "printableStatus").orElse("");
        Optional<GenericKubernetesResource> vmi = halted && (printable.isEmpty() || printable.equals("Stopped"))
                ? Optional.empty()
                : Optional.ofNullable(client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                        .inNamespace(settings.namespace())
                        .withName(names.virtualMachine())
                        .get());
        AtomicBoolean ready = new AtomicBoolean();
        Observation observed = VmObservations.map(new ObservedVm(names, vm, vmi, Optional.ofNullable(dvOrNull)), () -> {
            ready.set(true);
            return whenReady(spec, names, vmi.orElseThrow());
        });
        if (!ready.get()) {
            portForwards.close(spec.id()); // not running (or not yet): nothing to forward to
        }
        return observed;
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        deletionTimer.calling(spec.id());
        portForwards.close(spec.id());
        consoles.close(spec.id());
        written.remove(spec.id());
        applier.forget(spec.id());
        try {
            requireKubevirt();
            return deletionTimer.answered(spec.id(), deletion.delete(spec, listener), listener);
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("deleting workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /** Closes the port-forwards, the sshd probe and the client when owned. Workspaces keep running. */
    @Override
    public void close() {
        portForwards.close();
        consoles.close();
        ssh.close();
        if (ownsClient) {
            client.close();
        }
    }

    /**
     * The VM's first serial port through KubeVirt's VMI {@code console} subresource ({@code virtctl
     * console}), relayed from a unix socket in the console directory. Present for every workspace of
     * this kind; a connection while no VMI runs is closed at once (the control plane checks the
     * phase before attaching). virt-api serves one console connection per VMI at a time.
     *
     * @throws ProviderException as {@link VmiConsoles#open}
     */
    @Override
    public Optional<ConsoleEndpoint> console(WorkspaceSpec spec) {
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        return Optional.of(consoles.open(spec.id(), settings.namespace(), names.virtualMachine()));
    }

    /**
     * The end of the running VM's serial console log, from the {@code guest-console-log} container of
     * its virt-launcher pod ({@link LauncherConsoleLog}; KubeVirt 1.1 and later). Unlike a local VM's,
     * it does not outlive the VM: a stopped VM has none.
     *
     * @throws dev.hangar.provider.spi.ConsoleLogUnavailableException NOT_RUNNING when the VM does not
     *     run, NOT_KEPT when the cluster's KubeVirt keeps no console log
     * @throws ProviderException when the API server cannot be asked
     */
    @Override
    public Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
        if (lines < 1) throw new IllegalArgumentException("lines must be at least 1, got " + lines);
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        try {
            requireKubevirt();
            return Optional.of(consoleLog.tail(settings.namespace(), names.virtualMachine(), spec.name(), lines));
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate(
                    "reading the console log of workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /** @return the workspace's VMI port-forward endpoint, if one is open (diagnostics and tests) */
    Optional<SshEndpoint> portForward(WorkspaceSpec spec) {
        return portForwards.current(spec.id());
    }

    /** @return the port-forwards this provider owns (tests) */
    VmiPortForwards portForwards() {
        return portForwards;
    }

    private Observation whenReady(WorkspaceSpec spec, KubevirtNames names, GenericKubernetesResource vmi) {
        if (!settings.cluster().serviceRoutable()) {
            String uid = Objects.requireNonNullElse(vmi.getMetadata().getUid(), "");
            return ssh.check(spec, portForwards.open(spec.id(), settings.namespace(), names.virtualMachine(), uid));
        }
        return ServiceClusterIp.of(client, settings.namespace(), names.service())
                .map(ip -> ssh.check(spec, new SshEndpoint(ip, KubevirtManifests.SSH_PORT)))
                .orElseGet(() ->
                        new Observation.Starting("VM running; waiting for a ClusterIP on Service " + names.service()));
    }

    private void requireKubevirt() {
        if (discovered.get()) return;
        Optional<String> missing = KubevirtApi.missing(client);
        if (missing.isPresent()) {
            throw new ProviderException("kubevirt provider: " + missing.get(), true);
        }
        discovered.set(true);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
            vms() {
        return client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE).inNamespace(settings.namespace());
    }
}
