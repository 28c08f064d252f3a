package dev.hangar.testing.k8s;

import dev.hangar.provider.kubernetes.KubernetesProviderFactory;
import dev.hangar.provider.kubevirt.KubevirtProvider;
import dev.hangar.provider.kubevirt.KubevirtSettings;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;

/**
 * The real {@link KubevirtProvider} with a STAND-IN sshd probe: Running (at the provider's own
 * VMI port-forward endpoint, which nothing dials) once the VMI is Ready, since no guest sshd can
 * run here and the API server does not serve virt-api's {@code portforward} subresource.
 */
final class StandInProbeKubevirtFactory implements WorkspaceProviderFactory {
    @Override
    public String type() {
        return KubevirtProvider.TYPE;
    }

    @Override
    public WorkspaceProvider create(ProviderContext context) {
        KubevirtSettings settings = KubevirtSettings.parse(context.settings());
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(KubernetesProviderFactory.config(settings.cluster()))
                .build();
        return new KubevirtProvider(
                client,
                settings,
                settings.imageCatalogPath()
                        .map(p -> ImageCatalog.load(Path.of(p)))
                        .orElseGet(ImageCatalog::shipped),
                (spec, endpoint) -> new Observation.Running(endpoint, "stand-in probe: VMI Ready"),
                context.clock(),
                true,
                context.dataDir().resolve("kubevirt-console"));
    }
}
