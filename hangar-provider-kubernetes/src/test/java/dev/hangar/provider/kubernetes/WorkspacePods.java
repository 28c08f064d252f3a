package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Objects;

/**
 * The pod a StatefulSet controller and kubelet would make for a Pod workspace, for tests on {@link
 * MockCluster} (which runs no controllers): built from the workspace's StatefulSet template as the
 * mock stores it, with or without a Ready status, and created the way the API server takes it.
 * The one copy of this fixture for the module's tests.
 */
final class WorkspacePods {
    private WorkspacePods() {}

    /**
     * @return the workspace's pod ({@link WorkspaceNames#pod()}) with the labels and spec of its
     *     StatefulSet's template, without a status
     * @throws NullPointerException when the mock holds no StatefulSet for the workspace
     */
    static Pod fromTemplate(MockCluster cluster, String namespace, WorkspaceSpec spec) {
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        StatefulSet sts = Objects.requireNonNull(
                cluster.client
                        .apps()
                        .statefulSets()
                        .inNamespace(namespace)
                        .withName(names.statefulSet())
                        .get(),
                "the workspace's StatefulSet (apply the workspace first)");
        return new PodBuilder()
                .withNewMetadata()
                .withName(names.pod())
                .withNamespace(namespace)
                .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata()
                .withSpec(sts.getSpec().getTemplate().getSpec())
                .build();
    }

    /**
     * @return {@code pod} with the status a kubelet reports once its container runs and is ready: phase
     *     Running, condition Ready=True, container {@code workspace} ready and running
     */
    static Pod ready(Pod pod) {
        return new PodBuilder(pod)
                .withNewStatus()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .addNewContainerStatus()
                .withName("workspace")
                .withReady(true)
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    /**
     * Creates {@code pod} with its status: the mock treats status as a subresource, as the API server
     * does, so create, then write the status.
     *
     * @return {@code pod}
     */
    static Pod create(MockCluster cluster, Pod pod) {
        cluster.client
                .pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(pod)
                .create();
        cluster.client
                .pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(pod)
                .updateStatus();
        return pod;
    }

    /** @return the workspace's ready pod ({@link #ready} of {@link #fromTemplate}), created in the mock */
    static Pod createReady(MockCluster cluster, String namespace, WorkspaceSpec spec) {
        return create(cluster, ready(fromTemplate(cluster, namespace, spec)));
    }
}
