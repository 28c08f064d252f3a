package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.SshEndpoint;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Maps what the cluster reports about a workspace to an {@link Observation}. Pure and thread-safe.
 *
 * <p>Sources, in order of precedence (all fields of the core/v1 and apps/v1 APIs):
 *
 * <ol>
 *   <li>StatefulSet absent: {@link Observation.Stopped} if the home claim survives, else {@link
 *       Observation.Absent} (the provider checks for other leftovers first).
 *   <li>{@code metadata.deletionTimestamp} on the StatefulSet or pod: {@link Observation.Stopping}.
 *   <li>{@code spec.replicas == 0}: {@link Observation.Stopping} while the pod exists and a
 *       process of it may run, then {@link Observation.Stopped}. {@link Observation.Stopped} already
 *       while the deleted pod ({@code metadata.deletionTimestamp} set) is still listed but the
 *       kubelet reports every container of it ended ({@link #exited}): what is left is the
 *       kubelet's clean-up (volumes unmounted, cgroup removed), which on Kubernetes 1.20 waits for
 *       its status manager's 10-second batch and took from 8 to over 28 s in our cluster tests.
 *       The StatefulSet controller creates the next pod of the ordinal only once this one is gone,
 *       so a start right away cannot run two pods on the home claim.
 *   <li>{@code status.containerStatuses[].state.waiting.reason} in {@link #FAILING_REASONS} (such as
 *       {@code ImagePullBackOff}, {@code ErrImagePull}, {@code CrashLoopBackOff}): {@link
 *       Observation.Failed} with the reason and the kubelet's message.
 *   <li>Condition {@code PodScheduled=False} with reason {@code Unschedulable}: when the scheduler's
 *       message names an {@code Insufficient} resource (such as {@code 0/1 nodes are available: 1
 *       Insufficient nvidia.com/gpu.}), {@link Observation.Starting} with {@code Unschedulable: } and
 *       the message, since the pod is scheduled as soon as another workspace frees the resource;
 *       otherwise {@link Observation.Failed} naming it (plus the claim when it is {@code Pending}).
 *   <li>A {@code ProvisioningFailed} event on a {@code Pending} claim: {@link Observation.Failed}.
 *   <li>{@code status.phase} {@code Failed} or {@code Succeeded}: {@link Observation.Failed}.
 *   <li>Condition {@code Ready=True} (the readiness probe, a TCP connect to port 2222, passed):
 *       {@link Observation.Running} with the endpoint from the supplier.
 *   <li>Otherwise {@link Observation.Starting} with the phase, a waiting reason such as {@code
 *       ContainerCreating}, a {@code Pending} claim and the latest warning event.
 * </ol>
 */
final class PodObservations {
    /** Container waiting reasons that will not clear without a change by a person. */
    static final Set<String> FAILING_REASONS = Set.of(
            "ImagePullBackOff",
            "ErrImagePull",
            "ErrImageNeverPull",
            "InvalidImageName",
            "CrashLoopBackOff",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError");

    private PodObservations() {}

    /**
     * @param endpoint where the gateway reaches the pod's sshd, empty while there is no address yet
     *     (then the result is {@link Observation.Starting}); called only for a ready pod
     */
    static Observation map(ObservedWorkspace observed, Supplier<Optional<SshEndpoint>> endpoint) {
        WorkspaceNames names = observed.names();
        Optional<StatefulSet> sts = observed.statefulSet();
        if (sts.isEmpty()) {
            return observed.claim().isPresent()
                    ? new Observation.Stopped("StatefulSet " + names.statefulSet() + " is missing; home volume "
                            + names.homeClaim() + " is kept")
                    : new Observation.Absent();
        }
        if (sts.get().getMetadata().getDeletionTimestamp() != null) {
            return new Observation.Stopping("StatefulSet " + names.statefulSet() + " is being deleted");
        }
        Integer replicas = sts.get().getSpec().getReplicas();
        Optional<Pod> pod = observed.pod();
        if (replicas != null && replicas == 0) {
            if (pod.isEmpty())
                return new Observation.Stopped("scaled to 0; home volume " + names.homeClaim() + " is kept");
            return exited(pod.get())
                    ? new Observation.Stopped("scaled to 0; the containers of pod " + names.pod()
                            + " have ended and the kubelet is removing it; home volume " + names.homeClaim()
                            + " is kept")
                    : new Observation.Stopping("scaled to 0; pod " + names.pod() + " is terminating");
        }
        Optional<String> claimPending = claimPending(observed);
        Optional<Event> provisioningFailed = claimPending.flatMap(
                c -> latest(observed, "PersistentVolumeClaim", names.homeClaim(), "ProvisioningFailed"));
        if (provisioningFailed.isPresent()) {
            return new Observation.Failed("PVC Pending: ProvisioningFailed: "
                    + provisioningFailed.get().getMessage());
        }
        if (pod.isEmpty()) {
            return new Observation.Starting("waiting for pod " + names.pod() + claimPending.orElse(""));
        }
        Pod p = pod.get();
        if (p.getMetadata().getDeletionTimestamp() != null) {
            return new Observation.Stopping("pod " + names.pod() + " is being deleted");
        }
        for (ContainerStatus status : containerStatuses(p)) {
            ContainerStateWaiting waiting =
                    status.getState() == null ? null : status.getState().getWaiting();
            if (waiting != null && FAILING_REASONS.contains(waiting.getReason())) {
                return new Observation.Failed(waiting.getReason() + ": container " + status.getName()
                        + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
            }
        }
        Optional<PodCondition> scheduled = condition(p, "PodScheduled");
        if (scheduled.isPresent()
                && "False".equals(scheduled.get().getStatus())
                && "Unschedulable".equals(scheduled.get().getReason())) {
            String why = "Unschedulable: " + nullToEmpty(scheduled.get().getMessage()) + claimPending.orElse("");
            return waitsForResources(scheduled.get().getMessage())
                    ? new Observation.Starting(why)
                    : new Observation.Failed(why);
        }
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            String why = p.getStatus().getReason() != null ? p.getStatus().getReason() : "exited";
            return new Observation.Failed("pod " + names.pod() + " " + phase + ": " + why
                    + (p.getStatus().getMessage() == null
                            ? ""
                            : ": " + p.getStatus().getMessage()));
        }
        Optional<PodCondition> ready = condition(p, "Ready");
        if (ready.isPresent() && "True".equals(ready.get().getStatus())) {
            String node = p.getSpec() == null || p.getSpec().getNodeName() == null
                    ? ""
                    : " on node " + p.getSpec().getNodeName();
            Optional<SshEndpoint> ssh = endpoint.get();
            return ssh.isPresent()
                    ? new Observation.Running(ssh.get(), "pod " + names.pod() + " ready" + node)
                    : new Observation.Starting("pod " + names.pod() + " ready" + node + "; Service " + names.service()
                            + " has no ClusterIP yet");
        }
        StringBuilder detail =
                new StringBuilder("pod ").append(names.pod()).append(' ').append(phase == null ? "Pending" : phase);
        for (ContainerStatus status : containerStatuses(p)) {
            if (status.getState() != null && status.getState().getWaiting() != null) {
                detail.append(": ").append(status.getState().getWaiting().getReason());
            } else if (status.getState() != null && status.getState().getRunning() != null) {
                detail.append(": started, sshd not ready yet");
            }
        }
        claimPending.ifPresent(detail::append);
        latest(observed, "Pod", names.pod(), null)
                .ifPresent(e ->
                        detail.append("; ").append(e.getReason()).append(": ").append(e.getMessage()));
        return new Observation.Starting(detail.toString());
    }

    /**
     * @return whether the scheduler's message says that nodes lack a resource that frees up when
     *     other pods end ({@code Insufficient cpu}, {@code Insufficient nvidia.com/gpu}, ...)
     */
    static boolean waitsForResources(String schedulerMessage) {
        return schedulerMessage != null && schedulerMessage.contains(" Insufficient ");
    }

    /**
     * @return whether {@code pod} is deleted ({@code metadata.deletionTimestamp}) and no process of it
     *     runs or can start again: its {@code status.phase} is {@code Succeeded} or {@code Failed}, or
     *     the kubelet lists at least one container and every container and init container is not
     *     {@code running} and has a {@code terminated} state or last state. The kubelet writes the
     *     latter ({@code ContainerStatusUnknown}, exit code 137) for a container it can no longer find
     *     in the runtime while the pod is deleted. A container that never started (waiting, no last
     *     state) is not taken as ended: the kubelet may still be creating it.
     */
    static boolean exited(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() == null || pod.getStatus() == null) return false;
        String phase = pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) return true;
        if (pod.getStatus().getContainerStatuses().isEmpty()) return false; // no report from the kubelet yet
        for (ContainerStatus status : containerStatuses(pod)) {
            boolean running = status.getState() != null && status.getState().getRunning() != null;
            boolean ended = (status.getState() != null && status.getState().getTerminated() != null)
                    || (status.getLastState() != null && status.getLastState().getTerminated() != null);
            if (running || !ended) return false;
        }
        return true;
    }

    private static Optional<String> claimPending(ObservedWorkspace observed) {
        Optional<PersistentVolumeClaim> claim = observed.claim();
        if (claim.isEmpty()) {
            return Optional.of("; PersistentVolumeClaim " + observed.names().homeClaim() + " is missing");
        }
        String phase =
                claim.get().getStatus() == null ? null : claim.get().getStatus().getPhase();
        return "Pending".equals(phase)
                ? Optional.of("; PVC Pending: " + observed.names().homeClaim() + " has no volume yet")
                : Optional.empty();
    }

    /** @return the latest Warning event about {@code kind/name}, of {@code reason} when non-null */
    private static Optional<Event> latest(ObservedWorkspace observed, String kind, String name, String reason) {
        return observed.events().stream()
                .filter(e -> e.getInvolvedObject() != null
                        && kind.equals(e.getInvolvedObject().getKind())
                        && name.equals(e.getInvolvedObject().getName()))
                .filter(e -> "Warning".equals(e.getType()))
                .filter(e -> reason == null || reason.equals(e.getReason()))
                .max(Comparator.comparing(PodObservations::when));
    }

    /** RFC 3339 timestamps of one format compare correctly as strings. */
    private static String when(Event e) {
        if (e.getLastTimestamp() != null) return e.getLastTimestamp();
        if (e.getEventTime() != null && e.getEventTime().getTime() != null)
            return e.getEventTime().getTime();
        return e.getMetadata() == null || e.getMetadata().getCreationTimestamp() == null
                ? ""
                : e.getMetadata().getCreationTimestamp();
    }

    private static List<ContainerStatus> containerStatuses(Pod pod) {
        if (pod.getStatus() == null) return List.of();
        List<ContainerStatus> all = new java.util.ArrayList<>(pod.getStatus().getInitContainerStatuses());
        all.addAll(pod.getStatus().getContainerStatuses());
        return all;
    }

    private static Optional<PodCondition> condition(Pod pod, String type) {
        if (pod.getStatus() == null) return Optional.empty();
        return pod.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
