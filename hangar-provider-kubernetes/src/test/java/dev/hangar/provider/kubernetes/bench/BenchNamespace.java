package dev.hangar.provider.kubernetes.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The namespace a benchmark works in, created when missing (and left in place: the benchmarks'
 * Javadoc and bench/README.md say how to remove it). Shared by the Pod and KubeVirt reconcile,
 * port-forward and image-load benchmarks.
 */
public final class BenchNamespace {
    private BenchNamespace() {}

    /** Creates namespace {@code name} unless it exists; idempotent. */
    public static void ensure(KubernetesClient client, String name) {
        if (client.namespaces().withName(name).get() != null) return;
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
    }
}
