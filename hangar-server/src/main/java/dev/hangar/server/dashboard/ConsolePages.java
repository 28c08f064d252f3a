package dev.hangar.server.dashboard;

import dev.hangar.core.service.ConsoleService;
import dev.hangar.core.service.ConsoleService.Target;
import dev.hangar.core.service.ConsoleUnavailableException;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * The dashboard's browser console: {@code /ui/workspaces/{owner}/{name}/console}, a page whose
 * script ({@code console.js}) runs xterm.js on the console WebSocket {@code .../console/ws} (served
 * by {@code ConsoleRoutes} with the dashboard session, see {@link DashboardRoutes#browserUser}), and
 * {@code .../console/state}, which the script asks after the socket closed whether it can reconnect.
 *
 * <p>Whether there is a console is {@link ConsoleService}'s answer, the one the WebSocket gets: a
 * kind without one, a workspace that does not run, or an auditor gets the page with the reason
 * instead of a terminal. Another user's workspace is "not found" as everywhere. Console text is
 * written by xterm.js into its own DOM, never parsed as HTML. Stateless; thread-safe.
 */
public final class ConsolePages {
    /**
     * The console page.
     *
     * @param workspaceHref the workspace's page
     * @param socketPath the WebSocket's path (same origin)
     * @param stateHref the state fragment's path
     * @param unavailable why there is no console now; empty when the page shows the terminal
     * @param styleNonce this response's CSP nonce for the {@code <style>} elements xterm.js adds
     */
    public record Page(
            Pages.Chrome chrome,
            String name,
            String workspaceHref,
            String socketPath,
            String stateHref,
            String unavailable,
            String styleNonce) {}

    private final ConsoleService consoles;

    ConsolePages(ConsoleService consoles) {
        this.consoles = consoles;
    }

    /** {@code GET .../console}: the terminal, or why there is none. */
    void page(Context ctx, Signed s) {
        String owner = ctx.pathParam("owner");
        String name = ctx.pathParam("name");
        String base = "/ui/workspaces/" + WorkspacePages.enc(owner) + "/" + WorkspacePages.enc(name);
        String why = unavailable(s, owner, name).orElse("");
        String nonce = WebSecurity.nonce();
        WebSecurity.headers(ctx, nonce);
        Renderer.html(
                ctx,
                200,
                "console.jte",
                "page",
                new Page(
                        s.chrome("workspaces"), name, base, base + "/console/ws", base + "/console/state", why, nonce));
    }

    /**
     * {@code GET .../console/state}: {@code 200 ready} when a client could attach now, else {@code
     * 409} with the reason as text (the page shows it and asks again later).
     */
    void state(Context ctx, Signed s) {
        Optional<String> why = unavailable(s, ctx.pathParam("owner"), ctx.pathParam("name"));
        ctx.status(why.isPresent() ? 409 : 200)
                .contentType("text/plain; charset=utf-8")
                .result(why.orElse("ready"));
    }

    /**
     * @return why {@code s} cannot attach to the console now, or empty when it can
     * @throws dev.hangar.core.domain.NotFoundException when the workspace does not exist or is not
     *     theirs to see
     */
    private Optional<String> unavailable(Signed s, String owner, String name) {
        try {
            Target t = consoles.attach(s.user(), owner, name);
            if (!s.mayChangeWorkspaces())
                return Optional.of("Auditors may read the console log but not attach to the console.");
            consoles.requireSocket(t);
            return Optional.empty();
        } catch (ConsoleUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }
}
