package dev.hangar.core.store;

import dev.hangar.core.domain.Phase;
import java.util.Set;

/**
 * Which workspaces to list. An empty string or set means "any".
 *
 * @param owner only this owner's workspaces
 * @param phases only workspaces in one of these phases
 * @param template only workspaces created from this template
 * @param providerType only workspaces of this provider
 */
public record WorkspaceFilter(String owner, Set<Phase> phases, String template, String providerType) {
    /** Every workspace. */
    public static final WorkspaceFilter ALL = new WorkspaceFilter("", Set.of(), "", "");

    public WorkspaceFilter {
        owner = owner == null ? "" : owner;
        phases = phases == null ? Set.of() : Set.copyOf(phases);
        template = template == null ? "" : template;
        providerType = providerType == null ? "" : providerType;
    }

    /** @return a filter for one owner's workspaces */
    public static WorkspaceFilter ownedBy(String owner) {
        return new WorkspaceFilter(owner, Set.of(), "", "");
    }
}
