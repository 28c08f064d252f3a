package dev.hangar.api.client;

import dev.hangar.api.AuditEntryView;
import dev.hangar.api.CreateTokenRequest;
import dev.hangar.api.CreateUserRequest;
import dev.hangar.api.CreatedTokenView;
import dev.hangar.api.CreatedUserView;
import dev.hangar.api.QuotaLimitsView;
import dev.hangar.api.QuotaView;
import dev.hangar.api.TokenView;
import dev.hangar.api.UpdateUserRequest;
import dev.hangar.api.UserAutostopRequest;
import dev.hangar.api.UserAutostopView;
import dev.hangar.api.UserView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The administration facet of {@link HangarClient} ({@link HangarClient#admin()}): users
 * ({@code /users}), quotas ({@code /users/{name}/quota}), auto-stop defaults ({@code
 * /users/{name}/autostop}), the caller's API tokens ({@code /users/me/tokens}) and the audit log
 * ({@code /audit}). Same errors as {@link HangarClient}: a non-2xx answer throws {@link
 * ApiException}, no answer throws {@link ServerUnreachableException}. Thread-safe; it shares its
 * {@link HangarClient}'s transport and lives as long as that client.
 */
public final class AdminClient {
    private static final String API = "/api/v1";

    private final ApiTransport transport;

    AdminClient(ApiTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    // ---- user administration (admins; auditors may read) -------------------------------------

    /** {@code GET /users}: every user ordered by name; 403 for members. */
    public List<UserView> users() {
        return transport.sendForList("GET", API + "/users", null, UserView.class);
    }

    /**
     * {@code POST /users} (201, admins only): creates an enabled user and their first token
     * ({@code initial}); its secret is in the answer only.
     *
     * @throws ApiException 422 with {@code field} {@code name} or {@code role}, 409 when the user
     *     exists, 403 for non-admins
     */
    public CreatedUserView createUser(CreateUserRequest request) {
        return transport.send("POST", API + "/users", request, CreatedUserView.class);
    }

    /** {@code GET /users/{name}}: one user; 404 when unknown, 403 for members. */
    public UserView user(String name) {
        return transport.send("GET", API + "/users/" + ApiPaths.segment(name), null, UserView.class);
    }

    /**
     * {@code PATCH /users/{name}} (admins only): changes role and/or disabled. Idempotent.
     *
     * @throws ApiException 409 when it would demote or disable the last enabled admin
     */
    public UserView updateUser(String name, UpdateUserRequest patch) {
        return transport.send("PATCH", API + "/users/" + ApiPaths.segment(name), patch, UserView.class);
    }

    /**
     * {@code DELETE /users/{name}} (204, admins only).
     *
     * @param transferTo give the user's workspaces to this user; empty for none
     * @param deleteWorkspaces delete the user's workspaces (the normal delete)
     * @throws ApiException 409 when the user owns workspaces and neither option is given (the detail
     *     says how many), when the transfer target has a workspace of the same name, or for the
     *     last enabled admin
     */
    public void deleteUser(String name, String transferTo, boolean deleteWorkspaces) {
        Map<String, String> q = new java.util.LinkedHashMap<>();
        q.put("transfer-to", transferTo);
        q.put("delete-workspaces", deleteWorkspaces ? "true" : "");
        transport.sendIgnoringBody("DELETE", API + "/users/" + ApiPaths.segment(name) + ApiPaths.query(q));
    }

    // ---- quotas ------------------------------------------------------------------------------

    /**
     * {@code GET /users/{name}/quota}: the user's limits and use ({@code me} for the caller).
     *
     * @throws ApiException 404 when the user does not exist or is another user and the caller a member
     */
    public QuotaView quota(String name) {
        return transport.send("GET", API + "/users/" + ApiPaths.segment(name) + "/quota", null, QuotaView.class);
    }

    /**
     * {@code PUT /users/{name}/quota} (admins only): replaces the user's per-user override; null
     * fields fall back to the role's limits, all null removes the override. Idempotent.
     *
     * @throws ApiException 422 naming a negative field, 404 for an unknown user, 403 for non-admins
     */
    public QuotaView setQuota(String name, QuotaLimitsView override) {
        return transport.send("PUT", API + "/users/" + ApiPaths.segment(name) + "/quota", override, QuotaView.class);
    }

    // ---- auto-stop default ------------------------------------------------------------------

    /**
     * {@code GET /users/{name}/autostop}: the user's own idle auto-stop default ({@code me} for the
     * caller); {@code template} when they have none.
     *
     * @throws ApiException 404 when the user does not exist or is another user and the caller a member
     */
    public UserAutostopView autostop(String name) {
        return transport.send(
                "GET", API + "/users/" + ApiPaths.segment(name) + "/autostop", null, UserAutostopView.class);
    }

    /**
     * {@code PUT /users/{name}/autostop}: sets the user's default ({@code off}, a duration such as
     * {@code 2h}) or clears it ({@code template}). Idempotent.
     *
     * @throws ApiException 422 on field {@code autostop} for a bad value, 404 for an unknown user or
     *     another user when the caller is a member, 403 for auditors
     */
    public UserAutostopView setAutostop(String name, String autostop) {
        return transport.send(
                "PUT",
                API + "/users/" + ApiPaths.segment(name) + "/autostop",
                new UserAutostopRequest(autostop),
                UserAutostopView.class);
    }

    // ---- API tokens ------------------------------------------------------------------------

    /** {@code GET /users/me/tokens}: the caller's tokens (never their secrets), by name. */
    public List<TokenView> tokens() {
        return transport.sendForList("GET", API + "/users/me/tokens", null, TokenView.class);
    }

    /**
     * {@code POST /users/me/tokens} (201): creates a token; the answer holds its secret, shown only
     * this once.
     *
     * @throws ApiException 422 with {@code field} {@code name} or {@code expires}, 409 for a
     *     duplicate name
     */
    public CreatedTokenView createToken(CreateTokenRequest request) {
        return transport.send("POST", API + "/users/me/tokens", request, CreatedTokenView.class);
    }

    /** {@code DELETE /users/me/tokens/{name}} (204): revokes a token; 404 when there is none. */
    public void revokeToken(String name) {
        transport.sendIgnoringBody("DELETE", API + "/users/me/tokens/" + ApiPaths.segment(name));
    }

    // ---- audit log -------------------------------------------------------------------------

    /**
     * {@code GET /audit}: the newest entries matching {@code filter}, newest first, following the
     * server's pages ({@code Link: <...>; rel="next"}) until {@code max} entries or the oldest.
     *
     * @param max at most this many entries, 1 or more
     * @throws ApiException 403 for members, 400 naming {@code since} for a malformed instant
     * @throws IllegalArgumentException when {@code max} is below 1
     */
    public List<AuditEntryView> audit(AuditFilter filter, int max) {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1, got " + max);
        List<AuditEntryView> all = new ArrayList<>();
        String token = "";
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("since", filter.since());
            q.put("user", filter.user());
            q.put("action", filter.action());
            q.put("limit", Integer.toString(Math.min(1000, max - all.size())));
            q.put("continue", token);
            ApiTransport.Page<AuditEntryView> page =
                    transport.getPage(API + "/audit" + ApiPaths.query(q), AuditEntryView.class);
            all.addAll(page.items());
            token = page.nextToken();
        } while (!token.isEmpty() && all.size() < max);
        return all.size() > max ? List.copyOf(all.subList(0, max)) : all;
    }
}
