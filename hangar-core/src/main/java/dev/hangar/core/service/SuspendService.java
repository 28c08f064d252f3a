package dev.hangar.core.service;

import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.reconcile.WorkspaceSpecs;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.WorkspaceSuspend;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code hangar stop --suspend}: asks the workspace's provider to make its next stop a suspend
 * ({@link WorkspaceSuspend}: memory and device state saved beside the disk, resumed by the next
 * start), then asks for the stop as {@link WorkspaceService#stop} does. Thread-safe.
 *
 * <p>The request is recorded by the provider before the desired state changes, so the reconciler's
 * stop always sees it; a start before that stop drops it. Templates can suspend on every stop with
 * their provider's setting instead ({@code settings: {stop: suspend}} for qemu).
 */
public final class SuspendService {
    private final WorkspaceService workspaces;
    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final HostCertificateAuthority hostCa;

    public SuspendService(
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
     * Asks for the workspace to be suspended. Idempotent.
     *
     * @param owner the owner's name; empty for the actor
     * @return the workspace after the desired-state change
     * @throws dev.hangar.core.domain.NotFoundException when it does not exist or the actor may not see it
     * @throws ValidationException (field {@code suspend}) when its provider cannot suspend, naming the
     *     providers of this server that can
     * @throws ProviderUnavailableException when its provider is not enabled on this server
     * @throws dev.hangar.core.domain.LifecycleConflictException as {@link WorkspaceService#stop}
     */
    public Workspace stop(User actor, String owner, String name) {
        Workspace w = workspaces.get(actor, owner, name);
        WorkspaceSuspend suspend = providers
                .find(w.providerType())
                .orElseThrow(() -> new ProviderUnavailableException("provider '" + w.providerType() + "' of workspace "
                        + w.name() + " is not enabled on this server"))
                .suspend()
                .orElseThrow(() -> new ValidationException(
                        "suspend",
                        "workspace " + w.name() + " (provider " + w.providerType() + ") cannot be suspended; "
                                + kindsThatCan() + "; use 'hangar stop' without --suspend"));
        suspend.suspendOnNextStop(
                WorkspaceSpecs.of(w, templates.find(w.template()), store.users().keys(w.owner()), hostCa));
        return workspaces.stop(actor, owner, name);
    }

    private String kindsThatCan() {
        TreeSet<String> can = new TreeSet<>();
        for (String type : providers.types()) {
            providers.find(type).filter(p -> p.suspend().isPresent()).ifPresent(p -> can.add(type));
        }
        return can.isEmpty()
                ? "no provider of this server can suspend"
                : "only workspaces of provider " + String.join(", ", can) + " can";
    }
}
