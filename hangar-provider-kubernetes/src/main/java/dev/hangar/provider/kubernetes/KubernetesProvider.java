package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
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
import java.util.stream.Collectors;

/**
 * Pod workspaces on Kubernetes: provider type {@value #TYPE}.
 *
 * <p>{@link #apply} writes the objects of {@link WorkspaceManifests} through an {@link
 * ObjectApplier}: on first creation the StatefulSet is written with 0 replicas, then the Secret,
 * claim and Service with an owner reference to it, then the StatefulSet with 1 replica for {@link
 * PowerState#RUNNING} or 0 for {@link PowerState#STOPPED}, so the pod never starts before its
 * Secret and volume claim exist. {@link #observe} reads the StatefulSet, pod, claim and events and
 * maps them with {@link PodObservations}; the SSH endpoint of a running workspace is the Service's
 * {@code ClusterIP:22} when {@code service-routable=true}, else a loopback port-forward owned by
 * {@link PortForwards}. {@link #delete} removes every object labelled with the workspace id,
 * volume claim included.
 *
 * <p>API access used (see deploy/README.md for the Role): get/list/create/patch/delete on
 * statefulsets, services, secrets, persistentvolumeclaims; get/list/delete on pods; list on events;
 * get/create on pods/portforward; get/create on pods/exec (the console's {@link #terminal()}).
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
        String ns = settings.namespace();
        String stsName = objects.statefulSet().getMetadata().getName();
        Instant start = clock.instant();
        try {
            StatefulSet live = client.apps()
                    .statefulSets()
                    .inNamespace(ns)
                    .withName(stsName)
                    .get();
            Integer before = live == null ? null : live.getSpec().getReplicas();
            if (live == null) {
                // Scaled to zero first: the pod must not start before its Secret and claim exist, and those
                // need the StatefulSet's uid for their owner reference.
                live = applier.apply(objects.withReplicas(0).statefulSet());
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
            WorkspaceObjects owned = objects.ownedBy(live);
            PersistentVolumeClaim liveClaim = claim(WorkspaceNames.of(spec.owner(), spec.name()));
            if (liveClaim != null) {
                owned = owned.withExistingClaim(liveClaim);
            }
            for (HasMetadata dependent : owned.dependents()) {
                // the user secrets are refreshed on starts only: a stop's spec carries none
                if (desired == PowerState.STOPPED && dependent == owned.userSecrets()) continue;
                if (dependent == owned.userSecrets()) dropIfKeysRemoved(owned.userSecrets());
                applier.apply(dependent);
            }
            StatefulSet applied = applier.apply(owned.statefulSet());
            Integer after = applied.getSpec().getReplicas();
            if (!Objects.equals(before, after) && !(before == null && after == 0)) {
                listener.event(
                        desired == PowerState.RUNNING ? "kubernetes-started" : "kubernetes-stopped",
                        "scaled StatefulSet " + ns + "/" + stsName + " to " + after);
            }
            if (desired == PowerState.RUNNING) {
                replaceStuckPod(applied, listener);
            }
        } catch (KubernetesClientException e) {
            throw translate("applying workspace " + spec.owner() + "/" + spec.name(), e);
        }
        listener.phaseTiming("apply", Duration.between(start, clock.instant()));
        if (desired == PowerState.STOPPED) {
            portForwards.close(spec.id());
        }
        return observe(spec);
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
        if (updateRevision == null) return;
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
            client.pods().inNamespace(settings.namespace()).withName(name).delete();
            listener.event(
                    "kubernetes-pod-replaced",
                    "deleted pod " + settings.namespace() + "/" + name + " (revision " + podRevision
                            + ", not ready) so that it restarts with revision " + updateRevision);
        }
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        String ns = settings.namespace();
        Observation result;
        try {
            StatefulSet sts = client.apps()
                    .statefulSets()
                    .inNamespace(ns)
                    .withName(names.statefulSet())
                    .get();
            if (sts == null) {
                List<HasMetadata> leftovers = labelled(spec);
                boolean claimLeft = leftovers.stream().anyMatch(o -> o instanceof PersistentVolumeClaim);
                if (!leftovers.isEmpty() && !claimLeft) {
                    result = new Observation.Stopping("leftover objects " + describe(leftovers));
                } else {
                    result = PodObservations.map(
                            new ObservedWorkspace(names, null, null, claimLeft ? claim(names) : null, List.of()),
                            // Never called: without a StatefulSet there is no pod to be Running.
                            Optional::empty);
                }
            } else {
                Pod pod = client.pods().inNamespace(ns).withName(names.pod()).get();
                PersistentVolumeClaim claim = claim(names);
                boolean ready = pod != null
                        && pod.getStatus() != null
                        && pod.getStatus().getConditions().stream()
                                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                // Events only matter while the pod is not ready; skip the extra calls otherwise.
                List<Event> events = ready || pod == null && isZero(sts) ? List.of() : events(names);
                result = PodObservations.map(
                        new ObservedWorkspace(names, sts, pod, claim, events), () -> endpoint(spec, names, pod));
            }
        } catch (KubernetesClientException e) {
            throw translate("observing workspace " + spec.owner() + "/" + spec.name(), e);
        }
        if (!(result instanceof Observation.Running)) {
            portForwards.close(spec.id());
        }
        return result;
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        portForwards.close(spec.id());
        Instant start = clock.instant();
        try {
            // StatefulSet first, so its controller does not re-create the pod deleted next.
            for (HasMetadata object : labelled(spec)) {
                if (object.getMetadata().getDeletionTimestamp() != null) continue;
                client.resource(object)
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                        .delete();
                listener.event(
                        "kubernetes-deleted",
                        "deleted " + object.getKind() + " "
                                + object.getMetadata().getNamespace() + "/"
                                + object.getMetadata().getName());
            }
            List<HasMetadata> left = labelled(spec);
            listener.phaseTiming("delete", Duration.between(start, clock.instant()));
            return left.isEmpty() ? new Observation.Absent() : new Observation.Stopping("removing " + describe(left));
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

    private Optional<SshEndpoint> endpoint(WorkspaceSpec spec, WorkspaceNames names, Pod pod) {
        if (settings.serviceRoutable()) {
            Service service = client.services()
                    .inNamespace(settings.namespace())
                    .withName(names.service())
                    .get();
            String ip = service == null || service.getSpec() == null
                    ? null
                    : service.getSpec().getClusterIP();
            if (ip == null || ip.isBlank() || "None".equals(ip)) {
                return Optional.empty();
            }
            return Optional.of(new SshEndpoint(ip, WorkspaceManifests.SERVICE_PORT));
        }
        return Optional.of(portForwards.open(
                spec.id(), settings.namespace(), names.pod(), pod.getMetadata().getUid()));
    }

    private PersistentVolumeClaim claim(WorkspaceNames names) {
        return client.persistentVolumeClaims()
                .inNamespace(settings.namespace())
                .withName(names.homeClaim())
                .get();
    }

    private List<Event> events(WorkspaceNames names) {
        List<Event> events = new ArrayList<>();
        for (String name : List.of(names.pod(), names.homeClaim())) {
            events.addAll(client.v1()
                    .events()
                    .inNamespace(settings.namespace())
                    .withField("involvedObject.name", name)
                    .list()
                    .getItems());
        }
        return events;
    }

    /** @return every object labelled with the workspace id, StatefulSets first, claims last */
    private List<HasMetadata> labelled(WorkspaceSpec spec) {
        String ns = settings.namespace();
        String key = WorkspaceManifests.LABEL_WORKSPACE_ID;
        String id = spec.id();
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.apps()
                .statefulSets()
                .inNamespace(ns)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(client.pods().inNamespace(ns).withLabel(key, id).list().getItems());
        all.addAll(client.services().inNamespace(ns).withLabel(key, id).list().getItems());
        all.addAll(client.secrets().inNamespace(ns).withLabel(key, id).list().getItems());
        all.addAll(client.persistentVolumeClaims()
                .inNamespace(ns)
                .withLabel(key, id)
                .list()
                .getItems());
        return all;
    }

    /**
     * Deletes the live user-secrets Secret when it holds a key the desired one lacks (a secret the
     * owner deleted), so the apply re-creates it without: a merge-patch apply cannot remove map keys.
     */
    private void dropIfKeysRemoved(io.fabric8.kubernetes.api.model.Secret desired) {
        var live = client.secrets()
                .inNamespace(desired.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName())
                .get();
        if (live == null || live.getData() == null) return;
        java.util.Set<String> want = desired.getData() == null
                ? java.util.Set.of()
                : desired.getData().keySet();
        if (want.containsAll(live.getData().keySet())) return;
        ObjectApplier.requireSameWorkspace(live, desired);
        client.resource(live).delete();
    }

    private static boolean isZero(StatefulSet sts) {
        Integer replicas = sts.getSpec().getReplicas();
        return replicas != null && replicas == 0;
    }

    private static String describe(List<HasMetadata> objects) {
        return objects.stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.joining(", "));
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
