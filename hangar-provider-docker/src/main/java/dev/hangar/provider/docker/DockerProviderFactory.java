package dev.hangar.provider.docker;

import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@value DockerProvider#TYPE} provider from its settings ({@link DockerSettings}).
 * Registered in {@code META-INF/services}; the server creates it only when its config has a {@code
 * providers.docker} section.
 *
 * <p>At creation it asks the engine which it is and logs "docker provider: Docker 20.10.24 (API
 * 1.41) at unix:///var/run/docker.sock", or, when none answers, why (socket missing, permission
 * denied, no answer) and the setting to change. An unreachable engine does not stop the server:
 * workspace calls then fail with the same reason (transient) until it answers.
 */
public final class DockerProviderFactory implements WorkspaceProviderFactory {
    private static final Logger LOG = LoggerFactory.getLogger(DockerProviderFactory.class);

    @Override
    public String type() {
        return DockerProvider.TYPE;
    }

    /**
     * @throws ProviderException (permanent) for invalid settings
     */
    @Override
    public WorkspaceProvider create(ProviderContext context) {
        DockerSettings settings = DockerSettings.parse(context.settings());
        DockerEngine engine = DockerEngine.connect(settings.socket());
        try {
            LOG.info("docker provider: {} at {}", engine.describe(), settings.socket());
        } catch (ProviderException e) {
            LOG.warn("docker provider: {}", e.getMessage());
        }
        return new DockerProvider(
                engine, settings, new SshKeyFiles(context.dataDir(), settings.runAsUser()), context.clock());
    }
}
