package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.KubernetesProviderFactory;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.SshProbe;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Creates the {@value KubevirtProvider#TYPE} provider from its settings ({@link KubevirtSettings}).
 * Registered in {@code META-INF/services}. Cluster access exactly as for the Pod provider ({@link
 * KubernetesProviderFactory#config}); the OS image catalog is the one the qemu provider uses,
 * unless {@code image-catalog} names another file. No request is sent at creation.
 */
public final class KubevirtProviderFactory implements WorkspaceProviderFactory {
    /** How long one sshd probe may take. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public String type() {
        return KubevirtProvider.TYPE;
    }

    /**
     * @throws ProviderException (permanent) for invalid settings, an unreadable kubeconfig or catalog
     */
    @Override
    public WorkspaceProvider create(ProviderContext context) {
        KubevirtSettings settings = KubevirtSettings.parse(context.settings());
        ImageCatalog catalog = settings.imageCatalogPath()
                .map(p -> ImageCatalog.load(Path.of(p)))
                .orElseGet(ImageCatalog::shipped);
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(KubernetesProviderFactory.config(settings.cluster()))
                .build();
        // Console sockets under the data directory: sun_path is short, so a short fixed name.
        return new KubevirtProvider(
                client,
                settings,
                catalog,
                new ProbeCheck(),
                context.clock(),
                true,
                context.dataDir().resolve("kubevirt-console"));
    }

    /** The shared sshd probe of hangar-provider-ssh: pinned host key and host certificate. */
    static final class ProbeCheck implements KubevirtProvider.SshCheck {
        private final SshProbe probe = new SshProbe();

        @Override
        public Observation check(WorkspaceSpec spec, SshEndpoint endpoint) {
            SshProbe.Result r =
                    probe.probe(endpoint, spec.hostKey().publicKey(), spec.hostCertificate(), PROBE_TIMEOUT);
            return switch (r.outcome()) {
                case MATCH -> new Observation.Running(endpoint, "sshd answered with the pinned host key");
                case MISMATCH ->
                    new Observation.Starting(
                            "sshd at " + endpoint + " answered with another host identity: " + r.detail());
                case UNREACHABLE -> new Observation.Starting("VM running; waiting for sshd at " + endpoint);
            };
        }

        @Override
        public void close() {
            probe.close();
        }
    }
}
