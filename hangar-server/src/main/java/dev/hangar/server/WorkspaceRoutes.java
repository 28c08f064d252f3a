package dev.hangar.server;

import static dev.hangar.server.QueryParams.owner;
import static dev.hangar.server.QueryParams.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.Json;
import dev.hangar.api.WorkspaceChangeWait;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceSummary;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.DryRunService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.WorkspaceFilter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code /api/v1/workspaces}: create, list (filters {@code owner}, {@code phase}, {@code
 * template}, {@code provider}; paged with {@code limit} and {@code continue}, see {@link
 * ListPage}), get, start, stop, restart, delete and events. Writes only record
 * desired state (see {@link WorkspaceService}); they answer 202 because the reconciler does the
 * work. The {@code owner} query parameter lets admins address other users' workspaces; in the list, {@code owner=me} names the caller.
 * A list answer is served from {@link ListPageCache} while the store's workspace write generation
 * is the one it was built at (never stale, also with several replicas on one database).
 *
 * <p>Create answers 201; a body that cannot be read (not JSON, not one object, unknown field,
 * wrong JSON type) is 400 from {@link RequestBodies}; a readable body with a value the service
 * rejects (name, template, size, image, user-data) is 422 from {@link WorkspaceService#create},
 * the one place create requests are validated. A left-out template, size or image is passed on
 * as absent and means the default. See {@link ProblemMapper} for the 400/422 rule.
 *
 * <p>{@code POST ?dryRun=All} (Kubernetes' spelling; any other value is 422) validates the same way
 * and answers 200 with the objects a Kubernetes-based provider would create ({@link DryRunService}),
 * creating nothing.
 */
final class WorkspaceRoutes {
    static final String BASE = "/api/v1/workspaces";
    private static final int DEFAULT_EVENT_LIMIT = 100;
    private static final int MAX_EVENT_LIMIT = 10_000;

    /** The one value of {@code dryRun} Kubernetes defines, and so the one accepted here. */
    static final String DRY_RUN_ALL = "All";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    /** The list page's writer, built once; it leaves the response stream open for Javalin to finish. */
    private static final ObjectWriter LIST_WRITER = Json.mapper()
            .writerFor(new TypeReference<List<dev.hangar.api.WorkspaceView>>() {})
            .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final WorkspaceService workspaces;
    private final DryRunService dryRun;
    private final dev.hangar.core.autostop.ActivityService activity;
    private final dev.hangar.core.service.SuspendService suspends;
    private final ListPageCache pages;
    private final WorkspaceChangeWatch changes;

    /** How often the store's write generation is read while a {@code changedFrom} request waits. */
    static final java.time.Duration CHANGE_POLL = java.time.Duration.ofMillis(20);

    WorkspaceRoutes(
            WorkspaceService workspaces,
            DryRunService dryRun,
            dev.hangar.core.autostop.ActivityService activity,
            dev.hangar.core.service.SuspendService suspends,
            ListPageCache pages) {
        this.workspaces = workspaces;
        this.pages = pages;
        this.suspends = suspends;
        this.dryRun = dryRun;
        this.activity = activity;
        this.changes = new WorkspaceChangeWatch(workspaces::generation, CHANGE_POLL);
    }

    void register(RoutesConfig r) {
        r.get(BASE, this::list);
        r.post(BASE, this::create);
        r.get(BASE + "/{name}", this::get);
        r.delete(BASE + "/{name}", ctx -> accepted(ctx, workspaces.delete(user(ctx), owner(ctx), name(ctx))));
        r.post(BASE + "/{name}/start", ctx -> accepted(ctx, workspaces.start(user(ctx), owner(ctx), name(ctx))));
        r.post(BASE + "/{name}/stop", this::stop);
        r.post(BASE + "/{name}/restart", ctx -> accepted(ctx, workspaces.restart(user(ctx), owner(ctx), name(ctx))));
        r.get(BASE + "/{name}/events", this::events);
    }

    /**
     * One workspace; with {@code changedFrom=V} the answer waits until its version is no longer
     * {@code V} (a write by the reconciler, a request, another replica) or {@code waitSeconds} ({@value
     * WorkspaceChangeWait#MIN_SECONDS} to {@value WorkspaceChangeWait#MAX_SECONDS}, default {@value WorkspaceChangeWait#DEFAULT_SECONDS}) passed, and is the
     * workspace as it is then (200 either way; 404 once it is gone). {@code hangar ... --wait} waits
     * this way instead of polling: it learns of Running within {@link #CHANGE_POLL} of the write.
     */
    private void get(Context ctx) throws InterruptedException {
        User u = user(ctx);
        String owner = owner(ctx);
        String name = name(ctx);
        String from = query(ctx, "changedFrom");
        String waitParam = query(ctx, "waitSeconds");
        if (from.isEmpty() && !waitParam.isEmpty())
            throw ApiException.badRequest("waitSeconds", "waitSeconds needs changedFrom (the version to wait past)");
        long changedFrom = from.isEmpty() ? -1 : number(from, "changedFrom", 0, Long.MAX_VALUE);
        long wait = waitParam.isEmpty()
                ? WorkspaceChangeWait.DEFAULT_SECONDS
                : number(waitParam, "waitSeconds", WorkspaceChangeWait.MIN_SECONDS, WorkspaceChangeWait.MAX_SECONDS);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(wait);
        while (true) {
            long generation = from.isEmpty() ? 0 : workspaces.generation(); // before the row: no write is missed
            Workspace w = workspaces.get(u, owner, name);
            long left = deadline - System.nanoTime();
            if (from.isEmpty() || w.version() != changedFrom || left <= 0) {
                ctx.json(Views.workspace(w, activity.status(w)));
                return;
            }
            changes.awaitChange(generation, java.time.Duration.ofNanos(left));
        }
    }

    /** @return query parameter {@code value} as a whole number in {@code [min, max]}; else 400 naming {@code field} */
    private static long number(String value, String field, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // the 400 below
        }
        throw ApiException.badRequest(
                field, field + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    /** Without a body (or with {@code suspend: false}) a plain stop; {@code {"suspend": true}} suspends. */
    private void stop(Context ctx) {
        boolean hasBody = ctx.req().getContentLengthLong() > 0
                || (ctx.req().getContentLengthLong() < 0 && ctx.contentType() != null);
        boolean suspend = hasBody
                && RequestBodies.read(ctx, dev.hangar.api.StopRequest.class).suspend();
        accepted(
                ctx,
                suspend
                        ? suspends.stop(user(ctx), owner(ctx), name(ctx))
                        : workspaces.stop(user(ctx), owner(ctx), name(ctx)));
    }

    private void list(Context ctx) throws java.io.IOException {
        // Everything that can answer 400/403 runs before the cache is asked: an error is never kept.
        User u = user(ctx);
        String owner = query(ctx, "owner");
        // "me" is a reserved user name (UserService): it names the caller, so a client asks for
        // its own workspaces without first asking who it is (hangar list: one request, not two).
        if (owner.equals("me")) owner = u.name();
        if (!u.readsAll() && !owner.isEmpty() && !owner.equals(u.name()))
            throw ApiException.forbidden(
                    "only admins and auditors may list other users' workspaces; leave out 'owner'");
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        for (String p : ctx.queryParams("phase")) {
            for (String one : p.split(",")) {
                if (one.isBlank()) continue;
                try {
                    phases.add(Phase.parse(one.strip()));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("phase", e.getMessage());
                }
            }
        }
        WorkspaceFilter filter = new WorkspaceFilter(owner, phases, query(ctx, "template"), query(ctx, "provider"));
        ListPage page = ListPage.of(ctx);
        // Read before the rows: rows read after it are at least as new, so the answer may be kept
        // under it (ListPageCache says why that is never stale).
        long generation = workspaces.generation();
        String rawQuery = ctx.queryString();
        ListPageCache.Key key = new ListPageCache.Key(u.name(), u.role(), rawQuery == null ? "" : rawQuery);
        ListPageCache.Page answer = pages.get(key, generation).orElse(null);
        if (answer == null) {
            // Summaries, not workspaces: a page needs no host private key, so none is opened (ADR 0018).
            List<WorkspaceSummary> rows = page.fetch(
                    ctx,
                    n -> workspaces.summaries(u, filter, page.after(), n),
                    w -> java.util.Map.entry(w.owner(), w.name()));
            byte[] json = LIST_WRITER.writeValueAsBytes(
                    rows.stream().map(Views::workspace).toList());
            String link = ctx.res().getHeader("Link");
            answer = new ListPageCache.Page(generation, json, link == null ? "" : link);
            pages.put(key, answer);
        } else if (!answer.link().isEmpty()) {
            ctx.header("Link", answer.link());
        }
        // One write of the whole body, not Javalin's copy of a result in 8 KiB chunks. A gzip client
        // gets the kept gzip bytes (made once per answer, then kept beside the plain ones); with
        // Content-Encoding already set, Javalin's output stream passes them through as they are.
        ctx.contentType("application/json");
        ctx.header("Vary", "Accept-Encoding");
        if (answer.json().length >= GZIP_MIN_BYTES && acceptsGzip(ctx.header("Accept-Encoding"))) {
            if (!answer.hasGzip()) {
                answer = answer.withGzip();
                pages.put(key, answer);
            }
            ctx.header("Content-Encoding", "gzip");
            ctx.outputStream().write(answer.gzip());
        } else {
            ctx.outputStream().write(answer.json());
        }
    }

    /** Bodies below this are sent plain, as Javalin does by default (its {@code minSizeForCompression}). */
    static final int GZIP_MIN_BYTES = 1500;

    /**
     * @return whether {@code acceptEncoding} (RFC 9110 section 12.5.3) accepts gzip: {@code gzip},
     *     {@code x-gzip} or {@code *} with a non-zero weight, and gzip not refused by name
     */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        boolean named = false;
        boolean any = false;
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.split(";");
            String coding = p[0].strip().toLowerCase(java.util.Locale.ROOT);
            boolean refused = false;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].strip().toLowerCase(java.util.Locale.ROOT);
                if (param.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(param.substring(2).strip()) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true; // an unreadable weight accepts nothing
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                if (refused) return false;
                named = true;
            } else if (coding.equals("*") && !refused) {
                any = true;
            }
        }
        return named || any;
    }

    /** Maps the body onto the core's request (absent stays absent); the service validates it. */
    private void create(Context ctx) throws java.io.IOException {
        List<String> dry = ctx.queryParams("dryRun");
        if (!dry.isEmpty() && !dry.equals(List.of(DRY_RUN_ALL))) {
            throw new ValidationException(
                    "dryRun",
                    "dryRun must be '" + DRY_RUN_ALL + "' (as in Kubernetes), got '" + String.join(",", dry) + "'");
        }
        CreateWorkspaceRequest req = RequestBodies.read(ctx, CreateWorkspaceRequest.class);
        CreateWorkspace create = createRequest(req);
        if (!dry.isEmpty()) {
            dryRun(ctx, create);
            return;
        }
        Workspace w = workspaces.create(user(ctx), create);
        ctx.status(201)
                .header("Location", BASE + "/" + URLEncoder.encode(w.name(), StandardCharsets.UTF_8))
                .json(Views.workspace(w));
    }

    /**
     * {@code ?dryRun=All}: 200 with a Kubernetes {@code v1} {@code List} of the objects the template's
     * provider would create, in YAML when the client accepts {@code application/yaml} (and not JSON
     * first), else JSON. Creates nothing; audited as {@code workspace.create} with outcome {@code
     * dry-run}.
     */
    private void dryRun(Context ctx, CreateWorkspace create) throws java.io.IOException {
        User u = user(ctx);
        List<Map<String, Object>> items = dryRun.create(u, create);
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", items);
        HttpAudit.dryRun(ctx, u.name() + "/" + create.name());
        ctx.status(200);
        if (wantsYaml(ctx.header("Accept"))) {
            ctx.contentType("application/yaml").result(YAML.writeValueAsBytes(list));
        } else {
            ctx.contentType("application/json").result(Json.mapper().writeValueAsBytes(list));
        }
    }

    /** @return whether an Accept header names a YAML type before any JSON type */
    static boolean wantsYaml(String accept) {
        if (accept == null) return false;
        for (String part : accept.split(",")) {
            String type = part.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
            if (type.equals("application/yaml") || type.equals("application/x-yaml") || type.equals("text/yaml"))
                return true;
            if (type.equals("application/json") || type.equals("*/*")) return false;
        }
        return false;
    }

    private static CreateWorkspace createRequest(CreateWorkspaceRequest req) {
        return new CreateWorkspace(
                // A missing name is an invalid name (422 from the service), like any other.
                req.name() == null ? "" : req.name(),
                Optional.ofNullable(req.template()),
                optional(req.cpus()),
                optional(req.memoryMiB()),
                optional(req.diskGiB()),
                Optional.ofNullable(req.image()),
                Optional.ofNullable(req.userData()),
                Optional.ofNullable(req.autostop()),
                Optional.ofNullable(req.devcontainer()),
                devices(req.devices()));
    }

    /**
     * The body's devices as counts; the service checks them against the template (0 asks for none
     * of a device the template gives by default, allowed when the template's minimum is 0). The
     * dashboard's create form builds the same list, so both are checked the same way.
     *
     * @throws ValidationException naming {@code devices[i].name} or {@code devices[i].count} for an
     *     entry that is not a device count at all (missing or malformed name, count missing or negative)
     */
    static List<dev.hangar.core.service.DeviceCount> devices(List<dev.hangar.api.DeviceView> body) {
        List<dev.hangar.core.service.DeviceCount> out = new java.util.ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            dev.hangar.api.DeviceView d = body.get(i);
            String field = "devices[" + i + "]";
            if (d == null) throw new ValidationException(field, field + " must be an object {name, count}");
            out.add(dev.hangar.core.service.DeviceCount.checked(
                    field, Optional.ofNullable(d.name()), optional(d.count())));
        }
        return out;
    }

    private static OptionalInt optional(Integer v) {
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    private void events(Context ctx) {
        String raw = query(ctx, "limit");
        int limit = DEFAULT_EVENT_LIMIT;
        if (!raw.isEmpty()) {
            try {
                limit = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(
                        "limit", "limit must be an integer 1.." + MAX_EVENT_LIMIT + ", got '" + raw + "'");
            }
            if (limit < 1 || limit > MAX_EVENT_LIMIT)
                throw ApiException.badRequest("limit", "limit must be 1.." + MAX_EVENT_LIMIT + ", got " + limit);
        }
        List<?> events = workspaces.events(user(ctx), owner(ctx), name(ctx), limit).stream()
                .map(Views::event)
                .toList();
        ctx.json(events);
    }

    private static void accepted(Context ctx, Workspace w) {
        ctx.status(202).json(Views.workspace(w));
    }

    private static User user(Context ctx) {
        return BearerAuth.user(ctx);
    }

    private static String name(Context ctx) {
        return ctx.pathParam("name");
    }
}
