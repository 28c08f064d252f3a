package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Observes a Pod workspace: reads its StatefulSet, Pod, home claim and Pod events and maps them to an
 * {@link Observation} with {@link PodObservations}.
 *
 * <p>Reads only what can change the answer: the Pod is skipped when the StatefulSet proves there is
 * none ({@link #provablyPodless}), the events (one list per involved object: the Pod and the claim)
 * are skipped once the Pod is Ready or when a StatefulSet at 0 replicas has no Pod. The SSH endpoint
 * of a running workspace is the Service's {@code ClusterIP:22} when {@code service-routable=true}
 * (one more read), else a loopback port-forward opened through {@link PortForwards}; any other
 * observation closes the workspace's port-forward. The source of every fact is the API server's
 * answer at the time of the call; nothing is cached here.
 *
 * <p>Errors: {@link KubernetesClientException}s become {@link
 * dev.hangar.provider.spi.ProviderException}s through {@link KubernetesProvider#translate}. Thread-safe;
 * calls for different workspaces may run concurrently.
 */
final class PodObserver {
    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final PortForwards portForwards;
    private final WorkspaceDeletion deletion;

    /**
     * @param client the API client (not closed here)
     * @param settings the provider settings: namespace and {@code service-routable}
     * @param portForwards the port-forwards the endpoints are opened with, closed when not running
     * @param deletion finds a workspace's objects by label when its StatefulSet is gone
     */
    PodObserver(
            KubernetesClient client,
            KubernetesSettings settings,
            PortForwards portForwards,
            WorkspaceDeletion deletion) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.portForwards = Objects.requireNonNull(portForwards, "portForwards");
        this.deletion = Objects.requireNonNull(deletion, "deletion");
    }

    /**
     * Reads the workspace from the cluster. Without a StatefulSet: Stopping while objects labelled
     * with the workspace id other than a claim are left, else what {@link PodObservations} makes of a
     * kept claim or of nothing (Absent).
     *
     * @throws dev.hangar.provider.spi.ProviderException when a read fails
     */
    Observation observe(WorkspaceSpec spec) {
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        Observation result;
        try {
            StatefulSet sts = client.apps()
                    .statefulSets()
                    .inNamespace(settings.namespace())
                    .withName(names.statefulSet())
                    .get();
            if (sts != null) {
                return observed(spec, names, sts, claim(names));
            }
            List<HasMetadata> leftovers = deletion.labelled(spec.id());
            boolean claimLeft = leftovers.stream().anyMatch(o -> o instanceof PersistentVolumeClaim);
            if (!leftovers.isEmpty() && !claimLeft) {
                result = new Observation.Stopping("leftover objects " + WorkspaceDeletion.describe(leftovers));
            } else {
                result = PodObservations.map(
                        new ObservedWorkspace(names, null, null, claimLeft ? claim(names) : null, List.of()),
                        // Never called: without a StatefulSet there is no pod to be Running.
                        Optional::empty);
            }
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("observing workspace " + spec.owner() + "/" + spec.name(), e);
        }
        portForwards.close(spec.id());
        return result;
    }

    /**
     * Maps a present StatefulSet and claim (read, or answered by a write) to an observation, reading the
     * pod only when there may be one and events only while the pod is not ready.
     *
     * @throws KubernetesClientException when a read fails (the caller names the action)
     */
    Observation observed(WorkspaceSpec spec, WorkspaceNames names, StatefulSet sts, PersistentVolumeClaim claim) {
        Pod pod = provablyPodless(sts)
                ? null
                : client.pods()
                        .inNamespace(settings.namespace())
                        .withName(names.pod())
                        .get();
        boolean ready = pod != null
                && pod.getStatus() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        // Events only matter while the pod is not ready; skip the extra calls otherwise.
        List<Event> events = ready || pod == null && isZero(sts) ? List.of() : events(names);
        Observation result = PodObservations.map(
                new ObservedWorkspace(names, sts, pod, claim, events), () -> endpoint(spec, names, pod));
        if (!(result instanceof Observation.Running)) {
            portForwards.close(spec.id());
        }
        return result;
    }

    /**
     * @return whether the StatefulSet says it has no pod: scaled to 0, and either the controller has
     *     seen that spec ({@code status.observedGeneration >= metadata.generation}) and reports no pod,
     *     terminating ones included, or it was created at 0 and never changed (generation 1, no status
     *     yet). Then reading the pod is skipped; otherwise it is read.
     */
    static boolean provablyPodless(StatefulSet sts) {
        if (!isZero(sts)) return false;
        Long generation = sts.getMetadata().getGeneration();
        if (generation == null) return false;
        var status = sts.getStatus();
        if (status == null || status.getObservedGeneration() == null) return generation == 1L;
        return status.getObservedGeneration() >= generation
                && (status.getReplicas() == null || status.getReplicas() == 0);
    }

    private Optional<SshEndpoint> endpoint(WorkspaceSpec spec, WorkspaceNames names, Pod pod) {
        if (settings.serviceRoutable()) {
            return ServiceClusterIp.of(client, settings.namespace(), names.service())
                    .map(ip -> new SshEndpoint(ip, WorkspaceManifests.SERVICE_PORT));
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

    private static boolean isZero(StatefulSet sts) {
        Integer replicas = sts.getSpec().getReplicas();
        return replicas != null && replicas == 0;
    }
}
