package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/**
 * A host route to ONE Service's ClusterIP through the test cluster's node ({@code ip route replace
 * IP/32 via NODE}), so a control plane outside the cluster reaches the Service as one on a network
 * that routes the Service range would (the kubevirt provider's {@code service-routable=true}).
 * kube-proxy in the node's network namespace translates it to the selected pod and masquerades the
 * host's address. Only that address is routed: nothing else of the private range leaves through the
 * cluster, and no packet for it goes to the host's default route once the route is in place.
 *
 * <p>{@link #close()} removes the route; a killed test leaves it on the cluster's veth, where {@code
 * tools/k8s/down.sh} removes it with the veth. Needs root. Not thread-safe.
 */
final class ServiceRoute implements AutoCloseable {
    private final String destination;

    private ServiceRoute(String destination) {
        this.destination = destination;
    }

    /**
     * @param clusterIp the Service's ClusterIP
     * @param nodeIp the node's address on the host's veth ({@link LocalCluster#nodeIp()})
     */
    static ServiceRoute add(String clusterIp, String nodeIp) {
        String destination = clusterIp + "/32";
        LocalCluster.Result r =
                LocalCluster.run(Duration.ofSeconds(10), List.of("ip", "route", "replace", destination, "via", nodeIp));
        assertThat(r.exitCode())
                .as("ip route replace " + destination + " via " + nodeIp + ": " + r.output())
                .isZero();
        return new ServiceRoute(destination);
    }

    @Override
    public void close() {
        LocalCluster.run(Duration.ofSeconds(10), List.of("ip", "route", "del", destination));
    }
}
