package dev.hangar.server.dashboard;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.DeviceCount;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The workspace pages: the list (filters owner, phase, kind; keyset-paged in the store query, so a
 * page costs the same at 10,000 rows as at 10), a workspace's page (parameters, phase timeline,
 * events, how to connect), create, and start / stop / restart / delete. Every read and write goes
 * through {@link WorkspaceService} with the signed-in user as the actor. Thread-safe.
 */
final class WorkspacePages {
    /** The actions a workspace page posts. */
    static final List<String> ACTIONS = List.of("start", "stop", "restart", "delete");

    /** Rows per page of the list. */
    static final int PAGE_SIZE = 50;

    private static final int EVENT_LIMIT = 200;
    private static final List<String> SIZE_FIELDS = List.of("cpus", "memoryMiB", "diskGiB");

    private final WorkspaceService workspaces;
    private final UsbPages usb;
    private final LabPages labs;
    private final TemplateCatalog templates;
    private final AuditLog audit;
    private final Clock clock;

    WorkspacePages(
            WorkspaceService workspaces,
            UsbPages usb,
            LabPages labs,
            TemplateCatalog templates,
            AuditLog audit,
            Clock clock) {
        this.workspaces = workspaces;
        this.usb = usb;
        this.labs = labs;
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    /** A page of the filtered list, and whether another follows. */
    private record Slice(List<Workspace> rows, Optional<Workspace> lastIfMore) {}

    void list(Context ctx, Signed s) {
        Filters f = Filters.of(ctx);
        Slice slice = fetch(s, f, cursor(q(ctx, "continue")));
        String nextHref = slice.lastIfMore().map(w -> "/" + f.query(token(w))).orElse("");
        String firstHref = q(ctx, "continue").isEmpty() ? "" : "/" + f.query("");
        Renderer.html(
                ctx,
                200,
                "workspaces.jte",
                "page",
                new Pages.WorkspaceList(
                        s.chrome("workspaces"),
                        rows(slice.rows()),
                        f.owner(),
                        f.phase(),
                        f.kind(),
                        Arrays.stream(Phase.values()).map(Phase::name).toList(),
                        kinds(),
                        s.user().readsAll(),
                        "/ui/workspaces/rows" + f.query(q(ctx, "continue")),
                        nextHref,
                        firstHref));
    }

    /** The list's rows alone, for the page's polling. */
    void rows(Context ctx, Signed s) {
        Filters f = Filters.of(ctx);
        Slice slice = fetch(s, f, cursor(q(ctx, "continue")));
        ctx.contentType("text/html; charset=utf-8")
                .result(Renderer.render(
                        "rows.jte",
                        Map.of("rows", rows(slice.rows()), "showOwner", s.user().readsAll())));
    }

    void detail(Context ctx, Signed s) {
        Renderer.html(ctx, 200, "workspace.jte", "page", detailOf(ctx, s));
    }

    void live(Context ctx, Signed s) {
        ctx.contentType("text/html; charset=utf-8").result(Renderer.render("live.jte", "page", detailOf(ctx, s)));
    }

    void confirmDelete(Context ctx, Signed s) {
        Workspace w = workspaces.get(s.user(), ctx.pathParam("owner"), ctx.pathParam("name"));
        String base = href(w);
        Renderer.html(
                ctx,
                200,
                "confirm-delete.jte",
                "page",
                new Pages.ConfirmDelete(s.chrome("workspaces"), row(w), base + "/delete", base));
    }

    /** Start, stop, restart or delete; then back to the workspace's page (the list after a delete). */
    void act(Context ctx, Signed s, String action) {
        String owner = ctx.pathParam("owner");
        String name = ctx.pathParam("name");
        if (!s.mayChangeWorkspaces()) {
            audit.record(
                    s.user().name(), "workspace." + action, owner + "/" + name, DashboardRoutes.source(ctx), "403");
            throw new DashboardRoutes.ForbiddenException("auditors read everything and change nothing");
        }
        Workspace w = switch (action) {
            case "start" -> workspaces.start(s.user(), owner, name);
            case "stop" -> workspaces.stop(s.user(), owner, name);
            case "restart" -> workspaces.restart(s.user(), owner, name);
            case "delete" -> workspaces.delete(s.user(), owner, name);
            default -> throw new IllegalArgumentException("unknown action " + action);
        };
        audit.record(
                s.user().name(), "workspace." + action, w.owner() + "/" + w.name(), DashboardRoutes.source(ctx), "ok");
        ctx.redirect(action.equals("delete") ? "/" : href(w), HttpStatus.SEE_OTHER);
    }

    void createForm(Context ctx, Signed s) {
        if (templates.all().isEmpty()) {
            DashboardRoutes.message(ctx, s, 409, "No templates", "this server has no templates to create from");
            return;
        }
        Template t = templates
                .find(q(ctx, "template"))
                .or(workspaces::defaultTemplate)
                .orElseGet(() -> templates.all().getFirst());
        renderForm(ctx, s, 200, t, Map.of(), Map.of(), "");
    }

    /** Creates through {@link WorkspaceService#create}; its problems come back next to their field. */
    void create(Context ctx, Signed s) {
        if (templates.all().isEmpty()) {
            DashboardRoutes.message(ctx, s, 409, "No templates", "this server has no templates to create from");
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String field : List.of("name", "template", "cpus", "memoryMiB", "diskGiB"))
            values.put(
                    field, Optional.ofNullable(ctx.formParam(field)).orElse("").strip());
        Optional<Template> chosen = templates.find(values.get("template"));
        Template shown = chosen.or(workspaces::defaultTemplate)
                .orElseGet(() -> templates.all().getFirst());
        DeviceFields.read(shown, ctx::formParam, values);
        if (!s.mayChangeWorkspaces()) {
            renderForm(ctx, s, 403, shown, values, Map.of(), "auditors read everything and change nothing");
            return;
        }
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, OptionalInt> sizes = new LinkedHashMap<>();
        for (String field : SIZE_FIELDS) {
            String v = values.get(field);
            if (v.isEmpty()) {
                sizes.put(field, OptionalInt.empty());
                continue;
            }
            try {
                sizes.put(field, OptionalInt.of(Integer.parseInt(v)));
            } catch (NumberFormatException e) {
                errors.put(field, field + " must be a whole number, got '" + v + "'");
            }
        }
        List<DeviceCount> devices = DeviceFields.counts(shown, values, errors);
        if (!errors.isEmpty()) {
            renderForm(ctx, s, 422, shown, values, errors, "");
            return;
        }
        CreateWorkspace req = new CreateWorkspace(
                values.get("name"),
                values.get("template").isEmpty() ? Optional.empty() : Optional.of(values.get("template")),
                sizes.get("cpus"),
                sizes.get("memoryMiB"),
                sizes.get("diskGiB"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                devices);
        String target = s.user().name() + "/" + values.get("name");
        try {
            Workspace w = workspaces.create(s.user(), req);
            audit.record(s.user().name(), "workspace.create", target, DashboardRoutes.source(ctx), "ok");
            ctx.redirect(href(w), HttpStatus.SEE_OTHER);
        } catch (ValidationException e) {
            audit.record(s.user().name(), "workspace.create", target, DashboardRoutes.source(ctx), "422");
            Optional<String> device = DeviceFields.formField(e.field(), devices);
            if (device.isPresent())
                fieldError(ctx, s, 422, shown, values, device.get(), DeviceFields.message(e.getMessage()));
            else fieldError(ctx, s, 422, shown, values, e.field(), e.getMessage());
        } catch (ConflictException e) {
            audit.record(s.user().name(), "workspace.create", target, DashboardRoutes.source(ctx), "409");
            String field = e.field() == null ? "" : e.field();
            fieldError(
                    ctx,
                    s,
                    409,
                    shown,
                    values,
                    DeviceFields.formField(field, devices).orElse(field),
                    e.getMessage());
        }
    }

    private void fieldError(
            Context ctx, Signed s, int status, Template t, Map<String, String> values, String field, String message) {
        if (values.containsKey(field) && !field.equals("template"))
            renderForm(ctx, s, status, t, values, Map.of(field, message), "");
        else renderForm(ctx, s, status, t, values, Map.of(), message);
    }

    private void renderForm(
            Context ctx,
            Signed s,
            int status,
            Template t,
            Map<String, String> values,
            Map<String, String> errors,
            String formError) {
        Renderer.html(
                ctx,
                status,
                "new.jte",
                "page",
                new Pages.CreateForm(
                        s.chrome("new"),
                        templates.all().stream().map(AccountPages::templateRow).toList(),
                        AccountPages.templateRow(t),
                        values,
                        errors,
                        formError));
    }

    private Pages.WorkspaceDetail detailOf(Context ctx, Signed s) {
        String owner = ctx.pathParam("owner");
        String name = ctx.pathParam("name");
        Workspace w = workspaces.get(s.user(), owner, name);
        List<WorkspaceEvent> events = workspaces.events(s.user(), owner, name, EVENT_LIMIT);
        Instant now = clock.instant();
        List<Pages.PhaseSpan> timeline = PhaseTimeline.of(w.createdAt(), events, now).stream()
                .map(sp -> new Pages.PhaseSpan(sp.phase().name(), time(sp.from()), PhaseTimeline.human(sp.duration())))
                .toList();
        List<Pages.EventRow> eventRows = events.reversed().stream()
                .map(e -> new Pages.EventRow(time(e.at()), e.actor(), e.type(), e.message(), e.count()))
                .toList();
        boolean own = w.owner().equals(s.user().name());
        String alias = w.name() + ".hangar";
        return new Pages.WorkspaceDetail(
                s.chrome("workspaces"),
                row(w),
                w.parameters().image(),
                w.desired().name(),
                time(w.createdAt()),
                timeline,
                eventRows,
                own
                        ? "hangar ssh " + w.name() + "   # or, after hangar config-ssh: ssh " + alias
                        : "ssh (as " + w.owner() + ") " + alias,
                "vscode://vscode-remote/ssh-remote+" + alias + "/",
                href(w) + "/live",
                href(w),
                s.mayChangeWorkspaces(),
                usb.rows(s, owner, name),
                labs.linkOf(s, w));
    }

    private Slice fetch(Signed s, Filters f, WorkspaceCursor after) {
        Set<Phase> phases = f.phase().isEmpty() ? Set.of() : Set.of(Phase.parse(f.phase()));
        WorkspaceFilter filter = new WorkspaceFilter(s.user().readsAll() ? f.owner() : "", phases, "", f.kind());
        List<Workspace> rows = workspaces.list(s.user(), filter, after, PAGE_SIZE + 1);
        if (rows.size() <= PAGE_SIZE) return new Slice(rows, Optional.empty());
        List<Workspace> page = rows.subList(0, PAGE_SIZE);
        return new Slice(page, Optional.of(page.getLast()));
    }

    private List<String> kinds() {
        return templates.all().stream()
                .map(Template::provider)
                .distinct()
                .sorted()
                .toList();
    }

    private static List<Pages.Row> rows(List<Workspace> ws) {
        return ws.stream().map(WorkspacePages::row).toList();
    }

    private static Pages.Row row(Workspace w) {
        var r = w.parameters().resources();
        return new Pages.Row(
                w.owner(),
                w.name(),
                w.template(),
                w.providerType(),
                w.phase().name(),
                w.reason(),
                r.cpus(),
                r.memoryMiB(),
                r.diskGiB(),
                href(w));
    }

    static String href(Workspace w) {
        return "/ui/workspaces/" + enc(w.owner()) + "/" + enc(w.name());
    }

    static String time(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ');
    }

    private static String token(Workspace w) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((w.owner() + "/" + w.name()).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the cursor after the row a {@code continue} token names; the start for a bad token */
    private static WorkspaceCursor cursor(String token) {
        if (token.isEmpty()) return WorkspaceCursor.START;
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int slash = decoded.indexOf('/');
            if (slash <= 0 || slash == decoded.length() - 1) return WorkspaceCursor.START;
            return WorkspaceCursor.after(decoded.substring(0, slash), decoded.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            return WorkspaceCursor.START;
        }
    }

    /** The list's filters as the query gave them (an unknown phase is dropped, not an error page). */
    private record Filters(String owner, String phase, String kind) {
        static Filters of(Context ctx) {
            String phase = q(ctx, "phase");
            try {
                phase = phase.isEmpty() ? "" : Phase.parse(phase).name();
            } catch (IllegalArgumentException e) {
                phase = "";
            }
            return new Filters(q(ctx, "owner"), phase, q(ctx, "kind"));
        }

        /** @return {@code ?owner=..&phase=..&kind=..[&continue=..]}, empty values left out */
        String query(String continueToken) {
            StringBuilder b = new StringBuilder();
            add(b, "owner", owner);
            add(b, "phase", phase);
            add(b, "kind", kind);
            add(b, "continue", continueToken);
            return b.isEmpty() ? "" : "?" + b;
        }

        private static void add(StringBuilder b, String k, String v) {
            if (v.isEmpty()) return;
            if (!b.isEmpty()) b.append('&');
            b.append(k).append('=').append(enc(v));
        }
    }

    private static String q(Context ctx, String key) {
        String v = ctx.queryParam(key);
        return v == null ? "" : v.strip();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
