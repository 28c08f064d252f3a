package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;

/**
 * Creates the {@value KubernetesProvider#TYPE} provider from its settings (see {@link
 * KubernetesSettings}). Registered in {@code META-INF/services}.
 *
 * <p>Cluster access: the file named by the {@code kubeconfig} setting when given; otherwise
 * fabric8's default chain, which reads {@code KUBECONFIG}, then {@code ~/.kube/config}, then the
 * in-cluster service account ({@code /var/run/secrets/kubernetes.io/serviceaccount}). The {@code
 * context} setting picks a kubeconfig context. HTTP goes through the JDK HTTP client
 * (kubernetes-httpclient-jdk). No request is sent at creation, so a server can start while the
 * cluster is unreachable; errors surface on the first call.
 */
public final class KubernetesProviderFactory implements WorkspaceProviderFactory {

    @Override
    public String type() {
        return KubernetesProvider.TYPE;
    }

    /**
     * @throws ProviderException (permanent) for invalid settings or an unreadable kubeconfig
     */
    @Override
    public WorkspaceProvider create(ProviderContext context) {
        KubernetesSettings settings = KubernetesSettings.parse(context.settings());
        KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config(settings)).build();
        return new KubernetesProvider(client, settings, context.clock(), true);
    }

    /**
     * The fabric8 client configuration of {@code settings}' cluster access, as described on this
     * class; also used by the kubevirt provider, which reaches clusters the same way. No request is
     * sent.
     *
     * @throws ProviderException (permanent) for an unreadable or invalid kubeconfig
     */
    public static Config config(KubernetesSettings settings) {
        String contextName = settings.context().isEmpty() ? null : settings.context();
        if (settings.kubeconfigPath().isPresent()) {
            File file = new File(settings.kubeconfigPath().get());
            if (!file.canRead()) {
                throw new ProviderException(
                        "kubernetes provider setting kubeconfig=" + file + " names no readable file", true);
            }
            try {
                return Config.fromKubeconfig(contextName, file);
            } catch (KubernetesClientException | IllegalArgumentException e) {
                throw new ProviderException("cannot read kubeconfig " + file + ": " + e.getMessage(), true, e);
            }
        }
        return Config.autoConfigure(contextName);
    }
}
