package dev.hangar.api.client;

/**
 * Query parameters of {@code GET /api/v1/workspaces}. An empty string means "no filter" and the
 * parameter is left out of the request.
 *
 * @param owner only this owner's workspaces (admins only may name another user)
 * @param phase only workspaces in this phase, e.g. {@code Running}
 * @param template only workspaces created from this template
 * @param provider only workspaces of this provider type, e.g. {@code qemu}
 */
public record WorkspaceFilter(String owner, String phase, String template, String provider) {
    /** No filter: the server's default set (see the server's visibility rules). */
    public static final WorkspaceFilter NONE = new WorkspaceFilter("", "", "", "");

    public WorkspaceFilter {
        owner = owner == null ? "" : owner;
        phase = phase == null ? "" : phase;
        template = template == null ? "" : template;
        provider = provider == null ? "" : provider;
    }

    /** @return a copy filtering on {@code owner} */
    public WorkspaceFilter withOwner(String owner) {
        return new WorkspaceFilter(owner, phase, template, provider);
    }

    /** @return a copy filtering on {@code phase} */
    public WorkspaceFilter withPhase(String phase) {
        return new WorkspaceFilter(owner, phase, template, provider);
    }

    /** @return a copy filtering on {@code template} */
    public WorkspaceFilter withTemplate(String template) {
        return new WorkspaceFilter(owner, phase, template, provider);
    }

    /** @return a copy filtering on {@code provider} */
    public WorkspaceFilter withProvider(String provider) {
        return new WorkspaceFilter(owner, phase, template, provider);
    }
}
