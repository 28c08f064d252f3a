package dev.hangar.core.service;

import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.reconcile.WorkspaceSpecs;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The client-side dry run of a create ({@code hangar create --dry-run}, {@code POST
 * /api/v1/workspaces?dryRun=All}): validates the request exactly as {@link WorkspaceService#create}
 * does, builds the provider spec the reconciler would build, and asks the template's provider for the
 * Kubernetes objects it would create ({@link ManifestRenderer}). Records nothing: no row, no event,
 * no host key stored, no reconcile; the provider sends no request to its cluster. Never names a
 * provider: whether one can render is its {@link WorkspaceProvider#manifests()}. Thread-safe.
 */
public final class DryRunService {
    private final WorkspaceService workspaces;
    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final HostCertificateAuthority hostCa;

    /**
     * @param workspaces validates the request (the one place create requests are checked)
     * @param store read only: the owner's SSH keys
     * @param hostCa signs the throw-away host key, as for a real workspace
     */
    public DryRunService(
            WorkspaceService workspaces,
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa) {
        this.workspaces = Objects.requireNonNull(workspaces);
        this.store = Objects.requireNonNull(store);
        this.templates = Objects.requireNonNull(templates);
        this.providers = Objects.requireNonNull(providers);
        this.hostCa = Objects.requireNonNull(hostCa);
    }

    /**
     * @return the objects the workspace's provider would create for this request, in the order it
     *     writes them, with secret values redacted (see {@link ManifestRenderer})
     * @throws ValidationException as {@link WorkspaceService#create}; field {@code template} when the
     *     template's provider does not run Kubernetes objects ("dry run lists Kubernetes objects;
     *     template 'debian-12' uses provider qemu") or refuses the spec (the provider's message)
     * @throws dev.hangar.core.domain.ConflictException when the owner has a workspace of that name
     * @throws ProviderUnavailableException when the template's provider is not enabled on this server
     */
    public List<Map<String, Object>> create(User actor, CreateWorkspace req) {
        Workspace w = workspaces.dryRunCreate(actor, req);
        WorkspaceProvider provider = providers
                .find(w.providerType())
                .orElseThrow(() -> new ProviderUnavailableException("provider '" + w.providerType() + "' of template '"
                        + w.template() + "' is not enabled on this server"));
        ManifestRenderer renderer = provider.manifests()
                .orElseThrow(() -> new ValidationException(
                        "template",
                        "dry run lists Kubernetes objects; template '" + w.template() + "' uses provider "
                                + w.providerType()));
        WorkspaceSpec spec =
                WorkspaceSpecs.of(w, templates.find(w.template()), store.users().keys(w.owner()), hostCa);
        try {
            return List.copyOf(renderer.render(spec));
        } catch (ProviderException e) {
            // what apply would fail with permanently (e.g. privileged not allowed, image not in the catalog)
            throw new ValidationException("template", e.getMessage());
        }
    }
}
