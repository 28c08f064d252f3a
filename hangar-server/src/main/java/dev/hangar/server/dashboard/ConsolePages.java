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
 * kind with neither a serial console nor a terminal, a workspace that does not run, or an auditor
 * gets the page with the reason instead of a terminal. A serial console has no size (the page says
 * so); a shell ({@link ConsoleService.Shell}, e.g. a Pod's exec) follows the browser window: the
 * script sends its size with the connection and at every resize. Another user's workspace is "not found" as everywhere. Console text is
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
     * @param shell true for a shell with a TTY that takes the window's size, false for a serial console
     */
    public record Page(
            Pages.Chrome chrome,
            String name,
            String workspaceHref,
            String socketPath,
            String stateHref,
            String unavailable,
            String styleNonce,
            boolean shell) {}

    /** Whether {@code s} can attach now ({@code why} empty) and to what. */
    private record Availability(Optional<String> why, boolean shell) {}

    private final ConsoleService consoles;

    ConsolePages(ConsoleService consoles) {
        this.consoles = consoles;
    }

    /** {@code GET .../console}: the terminal, or why there is none. */
    void page(Context ctx, Signed s) {
        String owner = ctx.pathParam("owner");
        String name = ctx.pathParam("name");
        String base = "/ui/workspaces/" + WorkspacePages.enc(owner) + "/" + WorkspacePages.enc(name);
        Availability a = availability(s, owner, name);
        String nonce = WebSecurity.nonce();
        WebSecurity.headers(ctx, nonce);
        Renderer.html(
                ctx,
                200,
                "console.jte",
                "page",
                new Page(
                        s.chrome("workspaces"),
                        name,
                        base,
                        base + "/console/ws",
                        base + "/console/state",
                        a.why().orElse(""),
                        nonce,
                        a.shell()));
    }

    /**
     * {@code GET .../console/state}: {@code 200 ready} when a client could attach now, else {@code
     * 409} with the reason as text (the page shows it and asks again later).
     */
    void state(Context ctx, Signed s) {
        Optional<String> why =
                availability(s, ctx.pathParam("owner"), ctx.pathParam("name")).why();
        ctx.status(why.isPresent() ? 409 : 200)
                .contentType("text/plain; charset=utf-8")
                .result(why.orElse("ready"));
    }

    /**
     * @return why {@code s} cannot attach to the console now (empty when it can), and whether it is a
     *     shell
     * @throws dev.hangar.core.domain.NotFoundException when the workspace does not exist or is not
     *     theirs to see
     */
    private Availability availability(Signed s, String owner, String name) {
        try {
            Target t = consoles.attach(s.user(), owner, name);
            boolean shell = t.access() instanceof ConsoleService.Shell;
            if (!s.mayChangeWorkspaces())
                return new Availability(
                        Optional.of("Auditors may read the console log but not attach to the console."), shell);
            consoles.requireSocket(t);
            return new Availability(Optional.empty(), shell);
        } catch (ConsoleUnavailableException e) {
            return new Availability(Optional.of(e.getMessage()), false);
        }
    }
}
