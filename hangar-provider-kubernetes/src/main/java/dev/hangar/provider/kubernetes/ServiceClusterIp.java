package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * The ClusterIP of a workspace's Service ({@code spec.clusterIP}), for a control plane that routes
 * to Service addresses (in-cluster). Shared by the Pod and the KubeVirt providers.
 */
public final class ServiceClusterIp {
    private ServiceClusterIp() {}

    /**
     * Reads the Service with one GET.
     *
     * @return its ClusterIP; empty while the Service is missing, has no address yet, or is headless
     *     ({@code None})
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses the read
     */
    public static Optional<String> of(KubernetesClient client, String namespace, String service) {
        Service s = client.services().inNamespace(namespace).withName(service).get();
        String ip = s == null || s.getSpec() == null ? null : s.getSpec().getClusterIP();
        if (ip == null || ip.isBlank() || "None".equals(ip)) return Optional.empty();
        return Optional.of(ip);
    }
}
