package dev.hangar.api.client;

/**
 * Query parameters of {@code GET /api/v1/audit}. An empty string means "no filter" and the
 * parameter is left out of the request.
 *
 * @param since only entries at or after this RFC 3339 instant, e.g. {@code 2026-12-03T08:00:00Z}
 * @param user only entries of this actor
 * @param action only this action ({@code workspace.create}) or family ({@code workspace.})
 */
public record AuditFilter(String since, String user, String action) {
    /** No filter: every entry. */
    public static final AuditFilter NONE = new AuditFilter("", "", "");

    public AuditFilter {
        since = since == null ? "" : since;
        user = user == null ? "" : user;
        action = action == null ? "" : action;
    }
}
