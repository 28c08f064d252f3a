package dev.hangar.server;

import static dev.hangar.server.QueryParams.owner;
import static dev.hangar.server.QueryParams.query;

import dev.hangar.api.CreateLabRequest;
import dev.hangar.api.LabView;
import dev.hangar.core.domain.User;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabGroup;
import dev.hangar.core.lab.LabInventory;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.lab.LabSpec;
import dev.hangar.core.lab.LabStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/v1/labs} (issue #13): create (201), list, get, start and stop (202), delete (202,
 * the lab as it was with status {@code Deleting}) and the Ansible inventory ({@code GET
 * .../inventory?format=ini|yaml|json|list&sshConfig=PATH}). The {@code owner} query parameter lets
 * admins address other users' labs; another member's lab is 404. Validation is {@link
 * LabService}'s (422 naming the field, 409 for a taken name); an unreadable body is 400 from
 * {@link RequestBodies}.
 */
final class LabRoutes {
    static final String BASE = "/api/v1/labs";

    private final LabService labs;

    LabRoutes(LabService labs) {
        this.labs = labs;
    }

    void register(RoutesConfig r) {
        r.get(
                BASE,
                ctx -> ctx.json(labs.list(user(ctx)).stream()
                        .map(l -> view(l, labs.status(l), ""))
                        .toList()));
        r.post(BASE, this::create);
        r.get(BASE + "/{name}", ctx -> {
            Lab l = labs.get(user(ctx), owner(ctx), name(ctx));
            ctx.json(view(l, labs.status(l), ""));
        });
        r.delete(BASE + "/{name}", ctx -> {
            Lab l = labs.delete(user(ctx), owner(ctx), name(ctx));
            ctx.status(202).json(view(l, labs.status(l), LabStatus.State.Deleting.name()));
        });
        r.post(BASE + "/{name}/start", ctx -> {
            Lab l = labs.start(user(ctx), owner(ctx), name(ctx));
            ctx.status(202).json(view(l, labs.status(l), ""));
        });
        r.post(BASE + "/{name}/stop", ctx -> {
            Lab l = labs.stop(user(ctx), owner(ctx), name(ctx));
            ctx.status(202).json(view(l, labs.status(l), ""));
        });
        r.get(BASE + "/{name}/inventory", this::inventory);
    }

    private void create(Context ctx) {
        CreateLabRequest req = RequestBodies.read(ctx, CreateLabRequest.class);
        Lab l = labs.create(user(ctx), spec(req));
        ctx.status(201)
                .header("Location", BASE + "/" + URLEncoder.encode(l.name(), StandardCharsets.UTF_8))
                .json(view(l, labs.status(l), ""));
    }

    private void inventory(Context ctx) {
        LabInventory.Format format;
        try {
            format = LabInventory.Format.parse(query(ctx, "format").isEmpty() ? "ini" : query(ctx, "format"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("format", e.getMessage());
        }
        String sshConfig = query(ctx, "sshConfig");
        if (sshConfig.isEmpty()) sshConfig = LabInventory.DEFAULT_SSH_CONFIG;
        else if (!sshConfig.startsWith("/") || sshConfig.chars().anyMatch(c -> c < 0x20 || c == '\'' || c == '"'))
            throw ApiException.badRequest(
                    "sshConfig", "sshConfig must be an absolute path without quotes or control characters");
        Lab l = labs.get(user(ctx), owner(ctx), name(ctx));
        String type = switch (format) {
            case INI -> "text/plain; charset=utf-8";
            case YAML -> "application/yaml";
            case JSON, LIST -> "application/json";
        };
        ctx.contentType(type).result(LabInventory.render(l, format, sshConfig));
    }

    /** Maps the body onto the core's spec: absent strings are empty, absent numbers 0 (the service refuses a 0 count). */
    static LabSpec spec(CreateLabRequest req) {
        List<LabGroup> groups = new ArrayList<>();
        if (req.groups() != null) {
            for (CreateLabRequest.LabGroupRequest g : req.groups()) {
                if (g == null) throw ApiException.badRequest("groups", "a group must be an object, not null");
                groups.add(new LabGroup(
                        g.name() == null ? "" : g.name(),
                        g.count() == null ? 0 : g.count(),
                        g.template(),
                        positiveOrZero(g.cpus()),
                        positiveOrZero(g.memoryMiB()),
                        positiveOrZero(g.diskGiB()),
                        g.userData(),
                        g.vars()));
            }
        }
        return new LabSpec(req.name() == null ? "" : req.name(), req.template(), req.vars(), groups);
    }

    /** An explicit size below 1 stays a bad size (the workspace checks refuse it), never "default". */
    private static int positiveOrZero(Integer v) {
        if (v == null) return 0;
        return v < 1 ? -1 : v;
    }

    static LabView view(Lab l, LabStatus s, String stateOverride) {
        List<LabView.LabMemberView> members = s.members().stream()
                .map(m -> new LabView.LabMemberView(
                        m.member().workspaceName(),
                        m.member().group(),
                        m.member().index(),
                        m.member().address(),
                        m.phase(),
                        m.reason()))
                .toList();
        return new LabView(
                l.name(),
                l.owner(),
                stateOverride.isEmpty() ? s.state().name() : stateOverride,
                s.ready(),
                s.total(),
                s.message(),
                l.subnet(),
                l.spec().vars(),
                l.createdAt(),
                members);
    }

    private static User user(Context ctx) {
        return BearerAuth.user(ctx);
    }

    private static String name(Context ctx) {
        return ctx.pathParam("name");
    }
}
