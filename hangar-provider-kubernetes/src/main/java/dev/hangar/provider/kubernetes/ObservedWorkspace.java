package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What was read from the cluster for one workspace in one {@code observe} pass. Package-private
 * carrier between {@link KubernetesProvider} and {@link PodObservations}; absent objects are
 * {@code null} in the constructor and empty {@link Optional}s at the accessors.
 *
 * @param names the workspace's object names
 * @param statefulSetOrNull the StatefulSet, or null when absent
 * @param podOrNull the pod {@code <base>-0}, or null when absent
 * @param claimOrNull the home claim, or null when absent
 * @param events core/v1 events about the pod and the claim, any order
 */
record ObservedWorkspace(
        WorkspaceNames names,
        StatefulSet statefulSetOrNull,
        Pod podOrNull,
        PersistentVolumeClaim claimOrNull,
        List<Event> events) {

    ObservedWorkspace {
        Objects.requireNonNull(names, "names");
        events = List.copyOf(events);
    }

    Optional<StatefulSet> statefulSet() {
        return Optional.ofNullable(statefulSetOrNull);
    }

    Optional<Pod> pod() {
        return Optional.ofNullable(podOrNull);
    }

    Optional<PersistentVolumeClaim> claim() {
        return Optional.ofNullable(claimOrNull);
    }
}
