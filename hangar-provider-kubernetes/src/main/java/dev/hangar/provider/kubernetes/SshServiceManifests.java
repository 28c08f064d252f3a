package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a workspace's Service ({@code v1/Service} {@link WorkspaceNames#service()}): {@code type
 * ClusterIP}, one TCP port named {@code ssh}, {@code port} {@value WorkspaceManifests#SERVICE_PORT}
 * to {@code targetPort} {@value WorkspaceManifests#SSH_PORT} (sshd in the container), {@code
 * selector} = the pod selector ({@link WorkspaceManifests#selectorOf}). It gives the workspace an
 * address that survives pod restarts; it is also the StatefulSet's {@code serviceName}.
 *
 * <p>Pure: no cluster access, same input gives equal output, thread-safe.
 */
final class SshServiceManifests {
    private final KubernetesSettings settings;

    /** @param settings the provider settings; only the namespace is used */
    SshServiceManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param names the workspace's object names
     * @param labels the labels every workspace object carries ({@link WorkspaceManifests#labels}); the
     *     selector is taken from them
     * @return a new Service in the provider's namespace
     */
    Service build(WorkspaceNames names, Map<String, String> labels) {
        return new ServiceBuilder()
                .withMetadata(WorkspaceManifests.meta(settings.namespace(), names.service(), labels))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(WorkspaceManifests.selectorOf(labels))
                .addNewPort()
                .withName("ssh")
                .withProtocol("TCP")
                .withPort(WorkspaceManifests.SERVICE_PORT)
                .withTargetPort(new IntOrString(WorkspaceManifests.SSH_PORT))
                .endPort()
                .endSpec()
                .build();
    }
}
