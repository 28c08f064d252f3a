package dev.hangar.core.reconcile;

import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.template.Template;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.LabNetwork;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds the provider-facing {@link WorkspaceSpec} from stored state. Pure. */
public final class WorkspaceSpecs {
    /**
     * The spec setting that carries a workspace's devcontainer folder (an absolute path on the server
     * host) to the docker provider.
     */
    public static final String DEVCONTAINER = "devcontainer";

    private WorkspaceSpecs() {}

    /**
     * @param template the workspace's template, empty when it was removed since creation (the
     *     workspace then keeps running with no template additions)
     * @param keys the owner's registered SSH keys
     * @param hostCa signs the workspace's stored host key into the spec's host certificate (computed
     *     here, not stored, so workspaces created before certificates existed get one too; the result
     *     is deterministic, so it does not change the spec from one pass to the next)
     */
    public static WorkspaceSpec of(
            Workspace w, Optional<Template> template, List<UserSshKey> keys, HostCertificateAuthority hostCa) {
        CloudInitConfig base = template.map(Template::cloudInit).orElse(CloudInitConfig.EMPTY);
        // the template's user-data and the workspace's both apply, the workspace's last (it wins)
        CloudInitConfig cloudInit = base.withWorkspaceUserData(w.parameters().extraUserData());
        Map<String, String> settings = template.map(Template::settings).orElse(Map.of());
        if (!w.parameters().devcontainer().isEmpty()) {
            settings = new java.util.HashMap<>(settings);
            settings.put(DEVCONTAINER, w.parameters().devcontainer());
        }
        return new WorkspaceSpec(
                w.id(),
                w.name(),
                w.owner(),
                w.template(),
                w.parameters().resources(),
                w.parameters().image(),
                w.owner(),
                keys.stream().map(k -> k.key().authorizedKeyLine()).toList(),
                w.hostKey(),
                hostCa.certifyWorkspace(w.hostKey(), w.owner(), w.name()),
                cloudInit,
                settings,
                dev.hangar.provider.spi.LabNetwork.NONE,
                List.of(),
                w.parameters().devices());
    }

    /**
     * {@link #of(Workspace, Optional, List, HostCertificateAuthority)} plus the workspace's place on
     * its lab's private network ({@link LabService#memberNetwork(Lab, String)}: the lab's id as the
     * segment, the member's address and every member's name and address).
     *
     * @param lab the lab the workspace is a member of, empty when it is on none
     */
    public static WorkspaceSpec of(
            Workspace w,
            Optional<Template> template,
            List<UserSshKey> keys,
            HostCertificateAuthority hostCa,
            Optional<Lab> lab) {
        WorkspaceSpec spec = of(w, template, keys, hostCa);
        return lab.flatMap(l -> LabService.memberNetwork(l, w.id()))
                .map(n -> spec.withLabNetwork(new LabNetwork(n.segmentId(), n.addressCidr(), n.hosts())))
                .orElse(spec);
    }
}
