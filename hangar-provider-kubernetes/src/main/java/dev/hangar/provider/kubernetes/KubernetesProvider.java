package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Pod workspaces on Kubernetes: provider type {@value #TYPE}.
 *
 * <p>{@link #apply} writes the objects of {@link WorkspaceManifests} through an {@link
 * ObjectApplier} (server-side apply: one PATCH per object, the API server being the ownership guard;
 * {@link ServerSideApplier}), at about kubectl's cost: for a stop, or a workspace this provider has
 * written before, the StatefulSet first (its answer carries the uid the Secret, claim and Service
 * point to as owner), then those all at once ({@link ParallelWrites}); for a start of a workspace it
 * has not written yet (new, or after a restart) it reads the StatefulSet once, and when it is
 * missing writes it with 0 replicas, then the dependents (at once), then the StatefulSet with 1
 * replica, so the pod never starts before its Secrets and volume claim exist. A crash between writes leaves objects the next, identical apply completes. The
 * observation that {@code apply} returns starts from the writes' answers (StatefulSet, claim): the
 * pod is read only when the StatefulSet does not prove there is none, events only while the pod is
 * not ready. So a stopped workspace costs 4 requests to create (kubectl's 4 applies) and 4 reads
 * when unchanged (where kubectl sends 4 no-op applies), and 4 to delete (bench/README.md).
 *
 * <p>{@link #observe} reads the StatefulSet, pod, claim and events and maps them ({@link
 * PodObserver}, with {@link PodObservations}); the SSH endpoint of a running workspace is the Service's {@code ClusterIP:22}
 * when {@code service-routable=true}, else a loopback port-forward owned by {@link PortForwards}.
 *
 * <p>{@link #delete} closes the workspace's port-forward and lets {@link WorkspaceDeletion} remove its
 * objects by name, then by label (4 requests while something is found, Stopping; Absent once a
 * sweep by label finds nothing). The {@code delete} phase timing is reported once, with the Absent
 * answer ({@link DeletionTimer}).
 *
 * <p>API access used (see deploy/README.md for the Role): get/list/create/patch/deletecollection on
 * statefulsets, secrets, persistentvolumeclaims; get/list/create/patch/delete on services (a leftover
 * found by label, with its resourceVersion as precondition); get/list/deletecollection on pods; list on
 * events; get/create on pods/portforward; get/create on pods/exec (the console's {@link #terminal()}).
 *
 * <p>Errors: HTTP 400, 401, 403, 404 (namespace missing) and 422 become permanent {@link
 * ProviderException}s, everything else transient. Thread-safe; calls for different workspaces may
 * run concurrently.
 */
public final class KubernetesProvider implements WorkspaceProvider {
    /** The provider type. */
    public static final String TYPE = "kubernetes";

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final WorkspaceManifests manifests;
    private final KubernetesManifestRenderer renderer;
    private final ObjectApplier applier;
    private final PortForwards portForwards;
    private final PodTerminal terminal;
    private final NodeImageLoader nodeImages;
    private final Clock clock;
    private final boolean ownsClient;
    private final WorkspaceDeletion deletion;
    private final DeletionTimer deletionTimer;
    private final PodObserver observer;

    /** The replicas this provider last wrote per workspace id, so a known workspace's apply needs no read. */
    private final java.util.concurrent.ConcurrentMap<String, Known> written =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final java.util.function.BinaryOperator<StatefulSet> SAME = (live, desired) -> desired;

    /** What the provider last wrote for a workspace: its StatefulSet's replicas. */
    private record Known(Integer replicas) {}

    /**
     * @param client the API client; closed by {@link #close()} when {@code ownsClient}
     * @param settings the provider settings
     * @param clock used for phase timings
     * @param ownsClient whether {@link #close()} closes {@code client}
     */
    public KubernetesProvider(KubernetesClient client, KubernetesSettings settings, Clock clock, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.manifests = new WorkspaceManifests(settings);
        this.renderer = new KubernetesManifestRenderer(manifests);
        this.applier = ObjectApplier.of(settings.applyMode(), client);
        this.portForwards = new PortForwards(client);
        this.terminal = new PodTerminal(client, settings.namespace());
        this.nodeImages = new NodeImageLoader(client);
        this.deletion = new WorkspaceDeletion(client, settings.namespace());
        this.deletionTimer = new DeletionTimer(clock);
        this.observer = new PodObserver(client, settings, portForwards, deletion);
        this.ownsClient = ownsClient;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The objects of a running workspace, built without cluster access ({@link KubernetesManifestRenderer}). */
    @Override
    public Optional<ManifestRenderer> manifests() {
        return Optional.of(renderer);
    }

    /**
     * Loading images onto the cluster's nodes through loader Pods ({@link NodeImageLoader}); always
     * offered: the server allows it only with {@code image-load.enabled}.
     */
    @Override
    public Optional<dev.hangar.provider.spi.NodeImages> nodeImages() {
        return Optional.of(nodeImages);
    }

    /**
     * A login shell in a running workspace's container through the exec API ({@link PodTerminal}), for
     * the console; empty when the {@code terminal} setting is false.
     */
    @Override
    public Optional<WorkspaceTerminal> terminal() {
        return settings.terminal() ? Optional.of(terminal) : Optional.empty();
    }

    /** @return the port-forwards this provider owns (for the gateway's diagnostics and tests) */
    public PortForwards portForwards() {
        return portForwards;
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        WorkspaceObjects objects = manifests.build(spec, desired);
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        String ns = settings.namespace();
        String stsName = names.statefulSet();
        Instant start = clock.instant();
        StatefulSet sts;
        PersistentVolumeClaim claim;
        try {
            Known known = written.get(spec.id());
            Integer before = known == null ? null : known.replicas();
            boolean created;
            if (desired == PowerState.RUNNING && known == null) {
                // First sight of a workspace to run (a new one, or any after a restart): whether its
                // StatefulSet exists decides the order, since the pod must not start before its Secrets and
                // claim exist, and those need the StatefulSet's uid for their owner reference.
                StatefulSet live = client.apps()
                        .statefulSets()
                        .inNamespace(ns)
                        .withName(stsName)
                        .get();
                StatefulSet owner;
                if (live == null) {
                    ObjectApplier.Applied<StatefulSet> scaledToZero =
                            applier.write(objects.withReplicas(0).statefulSet(), SAME);
                    owner = scaledToZero.object();
                    created = scaledToZero.created();
                } else {
                    ObjectApplier.requireSameWorkspace(live, objects.statefulSet());
                    owner = live;
                    created = false;
                    before = live.getSpec().getReplicas();
                }
                claim = applyDependents(objects.ownedBy(owner), desired);
                sts = applier.apply(objects.statefulSet());
            } else {
                // Stopping, or a workspace this provider has written before: the StatefulSet first (its
                // answer carries the uid the dependents point to); a stopped or known pod needs no order.
                ObjectApplier.Applied<StatefulSet> applied = applier.write(objects.statefulSet(), SAME);
                sts = applied.object();
                created = applied.created();
                if (known == null && !created) before = podsReported(sts);
                claim = applyDependents(objects.ownedBy(sts), desired);
            }
            written.put(spec.id(), new Known(sts.getSpec().getReplicas()));
            if (created) {
                listener.event("kubernetes-created", "created StatefulSet " + ns + "/" + stsName);
                if (!spec.cloudInit().equals(CloudInitConfig.EMPTY)) {
                    // A container has no cloud-init; say so (once, at creation) rather than drop the user's
                    // additions silently.
                    listener.event(
                            "cloud-init-ignored",
                            "Pod workspaces do not run cloud-init: packages and commands must be in the image "
                                    + spec.image());
                }
            }
            Integer after = sts.getSpec().getReplicas();
            if (!Objects.equals(before, after) && !(created && after == 0)) {
                listener.event(
                        desired == PowerState.RUNNING ? "kubernetes-started" : "kubernetes-stopped",
                        "scaled StatefulSet " + ns + "/" + stsName + " to " + after);
            }
            if (desired == PowerState.RUNNING) {
                replaceStuckPod(sts, listener);
            }
        } catch (KubernetesClientException e) {
            throw translate("applying workspace " + spec.owner() + "/" + spec.name(), e);
        }
        listener.phaseTiming("apply", Duration.between(start, clock.instant()));
        if (desired == PowerState.STOPPED) {
            portForwards.close(spec.id());
        }
        // The observation starts from what the writes answered: no second read of the StatefulSet or claim.
        try {
            return observer.observed(spec, names, sts, claim);
        } catch (KubernetesClientException e) {
            throw translate("observing workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /**
     * Writes the Secrets, claim and Service (the user-secrets Secret only on a start: a stop's spec
     * carries none) all at once ({@link ParallelWrites}): each refers to the StatefulSet, none to
     * another, so a workspace's write costs the slowest of them rather than the sum. Same requests and
     * bodies as one after another; every write runs to its end even when another fails.
     *
     * @return the claim as the API server answered
     */
    private PersistentVolumeClaim applyDependents(WorkspaceObjects owned, PowerState desired) {
        List<Supplier<HasMetadata>> writes = new ArrayList<>();
        int claimAt = -1;
        for (HasMetadata dependent : owned.dependents()) {
            if (dependent == owned.homeClaim()) {
                claimAt = writes.size();
                writes.add(() -> applier.write(
                                owned.homeClaim(),
                                (live, want) -> owned.withExistingClaim(live).homeClaim())
                        .object());
            } else if (dependent == owned.userSecrets()) {
                if (desired == PowerState.RUNNING) writes.add(() -> applyUserSecrets(owned.userSecrets()));
            } else {
                writes.add(() -> applier.apply(dependent));
            }
        }
        if (claimAt < 0) throw new IllegalStateException("a workspace's dependents include its home claim");
        return (PersistentVolumeClaim) ParallelWrites.all(writes).get(claimAt);
    }

    /**
     * Writes the user-secrets Secret; when the answer still holds a key the desired one lacks (a secret
     * the owner deleted, which a merge patch cannot remove and a server-side apply keeps when an
     * earlier field manager set it), deletes it and writes it again without.
     */
    private Secret applyUserSecrets(Secret desired) {
        Secret applied = applier.apply(desired);
        java.util.Set<String> want = desired.getData() == null
                ? java.util.Set.of()
                : desired.getData().keySet();
        if (applied.getData() == null || want.containsAll(applied.getData().keySet())) return applied;
        deletion.deleteNamed(
                "Secret",
                client.secrets().inNamespace(desired.getMetadata().getNamespace()),
                desired.getMetadata().getName(),
                workspaceId(desired));
        return applier.apply(desired);
    }

    /**
     * @return the number of pods the StatefulSet controller last reported ({@code status.replicas},
     *     terminating ones included), 0 without a status
     */
    private static Integer podsReported(StatefulSet sts) {
        return sts.getStatus() == null || sts.getStatus().getReplicas() == null
                ? 0
                : sts.getStatus().getReplicas();
    }

    /**
     * A StatefulSet does not roll a pod that never became Ready to a new template (kubernetes
     * issue 67250: a pod stuck in ImagePullBackOff stays after the image was fixed). When the pod
     * is not Ready and its {@code controller-revision-hash} label differs from the StatefulSet's
     * {@code status.updateRevision}, delete it so the controller creates it from the new template.
     * The revision is only known once the controller has seen the new template, so this may take
     * effect on the next apply.
     */
    private void replaceStuckPod(StatefulSet sts, ProviderListener listener) {
        String updateRevision = sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision();
        // No rollout pending (the controller's current revision is the update revision): nothing can be
        // stuck on an old one, and the pod need not be read.
        if (updateRevision == null || updateRevision.equals(sts.getStatus().getCurrentRevision())) return;
        String name = sts.getMetadata().getName() + "-0";
        Pod pod = client.pods().inNamespace(settings.namespace()).withName(name).get();
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) return;
        String podRevision = pod.getMetadata().getLabels() == null
                ? null
                : pod.getMetadata().getLabels().get("controller-revision-hash");
        boolean ready = pod.getStatus() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!ready && podRevision != null && !podRevision.equals(updateRevision)) {
            deletion.deleteNamed("Pod", client.pods().inNamespace(settings.namespace()), name, workspaceId(sts));
            listener.event(
                    "kubernetes-pod-replaced",
                    "deleted pod " + settings.namespace() + "/" + name + " (revision " + podRevision
                            + ", not ready) so that it restarts with revision " + updateRevision);
        }
    }

    /** Reads the workspace's objects and maps them ({@link PodObserver#observe}). */
    @Override
    public Observation observe(WorkspaceSpec spec) {
        return observer.observe(spec);
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        portForwards.close(spec.id());
        written.remove(spec.id());
        applier.forget(spec.id());
        deletionTimer.calling(spec.id());
        try {
            return deletionTimer.answered(spec.id(), deletion.delete(spec, listener), listener);
        } catch (KubernetesClientException e) {
            throw translate("deleting workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /** Closes the port-forwards (and the client when owned). Workspaces keep running. */
    @Override
    public void close() {
        portForwards.close();
        if (ownsClient) {
            client.close();
        }
    }

    private static String workspaceId(HasMetadata object) {
        return object.getMetadata().getLabels().get(WorkspaceManifests.LABEL_WORKSPACE_ID);
    }

    /**
     * Maps an API error to a {@link ProviderException}, permanent when retrying cannot help (HTTP
     * 400, 401, 403, 404, 422), with a hint for 401, 403 and 404. Also used by the kubevirt provider.
     *
     * @param action what was being done, e.g. {@code "applying workspace alice/dev"}
     */
    public static ProviderException translate(String action, KubernetesClientException e) {
        int code = e.getCode();
        boolean permanent = code == 400 || code == 401 || code == 403 || code == 404 || code == 422;
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
        String hint = switch (code) {
            case 401 -> " (the cluster credentials were rejected; check the kubeconfig or service account)";
            case 403 ->
                " (the service account lacks a permission; grant the Role in deploy/ as documented in"
                        + " deploy/README.md)";
            case 404 -> " (does the namespace exist?)";
            default -> "";
        };
        return new ProviderException(
                action + " failed: HTTP " + (code == 0 ? "connection error" : code) + ": " + reason + hint,
                permanent,
                e);
    }
}
