package dev.hangar.server.dashboard;

import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabInventory;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.lab.LabStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The labs pages (issue #13): the list with each lab's aggregated status ({@code Ready 3/3}, or
 * {@code Degraded} naming the member and its reason), a lab's page with its members (links to
 * their workspace pages) and the download of its Ansible inventory (INI, as {@code GET
 * /api/v1/labs/{name}/inventory}). Everything through {@link LabService} with the signed-in user
 * as the actor, so a member sees only their own labs and another's is "not found", as on the API.
 * Thread-safe.
 */
final class LabPages {
    private final LabService labs;

    LabPages(LabService labs) {
        this.labs = labs;
    }

    void list(io.javalin.http.Context ctx, Signed s) {
        List<Pages.LabRow> rows =
                labs.list(s.user()).stream().map(l -> row(l, labs.status(l))).toList();
        Renderer.html(
                ctx,
                200,
                "labs.jte",
                "page",
                new Pages.LabList(s.chrome("labs"), rows, s.user().readsAll()));
    }

    void detail(io.javalin.http.Context ctx, Signed s) {
        Lab l = labs.get(s.user(), ctx.pathParam("owner"), ctx.pathParam("name"));
        LabStatus st = labs.status(l);
        List<Pages.LabMemberRow> members = st.members().stream()
                .map(m -> new Pages.LabMemberRow(
                        m.member().workspaceName(),
                        m.member().group(),
                        m.member().address(),
                        m.phase(),
                        m.reason(),
                        m.phase().equals(LabStatus.MISSING)
                                ? ""
                                : "/ui/workspaces/" + enc(l.owner()) + "/"
                                        + enc(m.member().workspaceName())))
                .toList();
        Renderer.html(
                ctx,
                200,
                "lab.jte",
                "page",
                new Pages.LabDetail(
                        s.chrome("labs"),
                        row(l, st),
                        l.subnet(),
                        WorkspacePages.time(l.createdAt()),
                        members,
                        href(l) + "/inventory.ini"));
    }

    /** The lab's Ansible inventory as an INI file download (default ssh config path, as the API's default). */
    void inventory(io.javalin.http.Context ctx, Signed s) {
        Lab l = labs.get(s.user(), ctx.pathParam("owner"), ctx.pathParam("name"));
        String file = l.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-inventory.ini";
        ctx.contentType("text/plain; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .result(LabInventory.render(l, LabInventory.Format.INI, LabInventory.DEFAULT_SSH_CONFIG));
    }

    /** @return the lab {@code w} belongs to, for its workspace page ({@link Pages.LabLink#NONE} when none) */
    Pages.LabLink linkOf(Signed s, dev.hangar.core.domain.Workspace w) {
        return labs.labOf(s.user(), w)
                .map(l -> {
                    LabStatus st = labs.status(l);
                    return new Pages.LabLink(
                            l.name(), href(l), st.state().name() + " " + st.ready() + "/" + st.total());
                })
                .orElse(Pages.LabLink.NONE);
    }

    private static Pages.LabRow row(Lab l, LabStatus st) {
        String summary = st.state() == LabStatus.State.Degraded
                ? "Degraded: " + st.message()
                : st.state().name() + " " + st.ready() + "/" + st.total();
        return new Pages.LabRow(l.owner(), l.name(), st.state().name(), summary, st.ready(), st.total(), href(l));
    }

    static String href(Lab l) {
        return "/ui/labs/" + enc(l.owner()) + "/" + enc(l.name());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
