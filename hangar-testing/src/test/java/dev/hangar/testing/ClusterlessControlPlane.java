package dev.hangar.testing;

import dev.hangar.provider.kubernetes.KubernetesProviderFactory;
import dev.hangar.provider.kubevirt.KubevirtProviderFactory;
import dev.hangar.provider.qemu.QemuProviderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link TestControlPlane} with the built-in templates and the real qemu, kubernetes (namespace
 * {@value #POD_NAMESPACE}) and kubevirt (namespace {@value #VM_NAMESPACE}) providers, whose
 * kubeconfig names a loopback port where nothing listens: any request to a cluster fails, so what
 * works here needs no cluster (the dry run). The providers send no request at start.
 */
public final class ClusterlessControlPlane {
    /** Namespace of the kubernetes provider. */
    public static final String POD_NAMESPACE = "hangar-pods";
    /** Namespace of the kubevirt provider. */
    public static final String VM_NAMESPACE = "hangar-vms";

    private ClusterlessControlPlane() {}

    /** @return a started control plane; the caller closes it */
    public static TestControlPlane start() {
        try {
            Path kubeconfig = Files.createTempFile("hangar-clusterless-kubeconfig-", ".yaml");
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: absent
                      cluster: {server: "https://127.0.0.1:%d"}
                    contexts:
                    - name: absent
                      context: {cluster: absent, user: nobody}
                    current-context: absent
                    users:
                    - name: nobody
                      user: {token: not-a-token}
                    """.formatted(closed));
            // fabric8 may read the kubeconfig again later (token refresh): kept until the JVM exits
            kubeconfig.toFile().deleteOnExit();
            return TestControlPlane.builder()
                    .addProviderFactory(new QemuProviderFactory())
                    .addProviderFactory(new KubernetesProviderFactory())
                    .addProviderFactory(new KubevirtProviderFactory())
                    .configure(c -> c.withTemplates(c.templateDir(), true)
                            .withProvider("qemu", Map.of("accelerator", "tcg"))
                            // hides the built-in container template (its provider is not registered here)
                            .withProvider("docker", Map.of("enabled", "false"))
                            .withProvider(
                                    "kubernetes",
                                    Map.of("namespace", POD_NAMESPACE, "kubeconfig", kubeconfig.toString()))
                            .withProvider(
                                    "kubevirt", Map.of("namespace", VM_NAMESPACE, "kubeconfig", kubeconfig.toString())))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
