package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.Role;
import dev.hangar.core.service.Tokens;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Walks every operation of the served OpenAPI document as every kind of caller and checks the
 * status against {@link #RULES}, a table with one row per operation. A route without a row fails
 * the test, so a new route cannot ship without an access rule (issue #15).
 *
 * <p>Every workspace route targets a workspace of {@code alice} (with {@code ?owner=alice}). The
 * other member gets 404 on all of them, exactly like for a workspace that does not exist, so names
 * cannot be probed. Callers that must not get in at all (no token, a disabled user's token, an
 * expired token, a revoked token) get 401 everywhere except on the public operational endpoints.
 * The owner and the admin each act on a workspace of their own walk, and the route that deletes the
 * workspace runs last.
 */
class RouteAccessWalkTest {
    /** Who calls. */
    enum Caller {
        OWNER,
        OTHER_MEMBER,
        AUDITOR,
        ADMIN,
        NO_TOKEN,
        DISABLED,
        EXPIRED,
        REVOKED
    }

    /** Callers whose every authenticated request is 401. */
    private static final List<Caller> LOCKED_OUT =
            List.of(Caller.NO_TOKEN, Caller.DISABLED, Caller.EXPIRED, Caller.REVOKED);

    /** Operations that need no token. */
    private static final List<String> PUBLIC = List.of(
            "GET /api/v1/openapi.yaml",
            "GET /healthz",
            "GET /readyz",
            "GET /metrics",
            "GET /api/v1/auth/oidc",
            "POST /api/v1/auth/oidc/token");

    /**
     * Expected status per operation for OWNER, OTHER_MEMBER, AUDITOR, ADMIN (in that order). 404 for
     * OTHER_MEMBER on a workspace route is the isolation rule; 403 for AUDITOR on a write is "read
     * everything, change nothing"; 403 for members on admin routes. The owner's and admin's codes
     * are what the fake provider yields (e.g. 409: it has no console; 503: images need qemu).
     */
    private static final Map<String, int[]> RULES = new LinkedHashMap<>();

    static {
        rule("GET /api/v1/workspaces", 200, 200, 200, 200);
        rule("POST /api/v1/workspaces", 422, 422, 403, 422);
        rule("GET /api/v1/workspaces/{name}", 200, 404, 200, 200);
        rule("POST /api/v1/workspaces/{name}/start", 202, 404, 403, 202);
        rule("POST /api/v1/workspaces/{name}/stop", 202, 404, 403, 202);
        rule("POST /api/v1/workspaces/{name}/restart", 409, 404, 403, 409);
        // the fake provider can reset: 202 (the request is recorded; the reconciler does the work)
        rule("POST /api/v1/workspaces/{name}/reset", 202, 404, 403, 202);
        rule("GET /api/v1/workspaces/{name}/events", 200, 404, 200, 200);
        rule("POST /api/v1/workspaces/{name}/activity", 200, 404, 403, 200);
        rule("GET /api/v1/workspaces/{name}/console", 409, 404, 403, 409);
        rule("GET /api/v1/workspaces/{name}/console/log", 409, 404, 409, 409);
        rule("GET /api/v1/workspaces/{name}/usb/attachments", 200, 404, 200, 200);
        // owner and admin: 403 from the USB allow-list (no device is allowed on this server), not from the role
        rule("POST /api/v1/workspaces/{name}/usb/attachments", 403, 404, 403, 403);
        rule("DELETE /api/v1/workspaces/{name}/usb/attachments/{busid}", 204, 404, 403, 204);
        rule("DELETE /api/v1/workspaces/{name}", 202, 404, 403, 202);
        // labs: every {name} route targets a lab of alice's (?owner=alice); another member gets 404
        rule("GET /api/v1/labs", 200, 200, 200, 200);
        rule("POST /api/v1/labs", 422, 422, 403, 422);
        rule("GET /api/v1/labs/{name}", 200, 404, 200, 200);
        rule("POST /api/v1/labs/{name}/start", 202, 404, 403, 202);
        rule("POST /api/v1/labs/{name}/stop", 202, 404, 403, 202);
        rule("POST /api/v1/labs/{name}/reset", 202, 404, 403, 202);
        rule("GET /api/v1/labs/{name}/inventory", 200, 404, 200, 200);
        rule("DELETE /api/v1/labs/{name}", 202, 404, 403, 202);
        rule("GET /api/v1/templates", 200, 200, 200, 200);
        rule("GET /api/v1/templates/{name}", 200, 200, 200, 200);
        rule("GET /api/v1/images", 200, 200, 200, 200);
        rule("GET /api/v1/images/{name}", 503, 503, 503, 503);
        rule("DELETE /api/v1/images/{name}", 403, 403, 403, 503);
        // pull checks that images are available before the role (ImageRoutes); import and delete check the role first
        rule("POST /api/v1/images/pull", 503, 503, 403, 503);
        rule("POST /api/v1/images/import", 403, 403, 403, 503);
        // image-load.enabled is false by default: refused for admins too, before the body is read
        rule("POST /api/v1/admin/image-loads", 403, 403, 403, 403);
        rule("GET /api/v1/users/me", 200, 200, 200, 200);
        rule("GET /api/v1/users/me/keys", 200, 200, 200, 200);
        rule("POST /api/v1/users/me/keys", 422, 422, 422, 422);
        rule("DELETE /api/v1/users/me/keys", 400, 400, 400, 400);
        rule("GET /api/v1/users/me/tokens", 200, 200, 200, 200);
        rule("POST /api/v1/users/me/tokens", 422, 422, 422, 422);
        rule("DELETE /api/v1/users/me/tokens/{name}", 404, 404, 404, 404);
        // secrets are the caller's own: every role lists and sets its own (auditors change nothing)
        rule("GET /api/v1/secrets", 200, 200, 200, 200);
        rule("PUT /api/v1/secrets/{name}", 200, 200, 403, 200);
        rule("DELETE /api/v1/secrets/{name}", 404, 404, 403, 404);
        // the walk's JSON body is not a tar archive: 415 for every role that may upload
        rule("POST /api/v1/devcontainer-uploads", 415, 415, 403, 415);
        rule("GET /api/v1/users", 403, 403, 200, 200);
        rule("POST /api/v1/users", 403, 403, 403, 422);
        rule("GET /api/v1/users/{name}", 403, 403, 200, 200);
        rule("PATCH /api/v1/users/{name}", 403, 403, 403, 200);
        rule("DELETE /api/v1/users/{name}", 403, 403, 403, 204);
        // the owner (alice) reads her own quota; another member gets 404 for alice's (names cannot be probed)
        rule("GET /api/v1/users/{name}/quota", 200, 404, 200, 200);
        rule("PUT /api/v1/users/{name}/quota", 403, 403, 403, 200);
        // the owner (alice) reads and sets her own auto-stop default; another member gets 404 for hers
        rule("GET /api/v1/users/{name}/autostop", 200, 404, 200, 200);
        rule("PUT /api/v1/users/{name}/autostop", 200, 404, 403, 200);
        rule("GET /api/v1/audit", 403, 403, 200, 200);
        // OIDC sign-in is public and off on this server (no oidc.issuer): 404 for everyone, a token or not
        rule("GET /api/v1/auth/oidc", 404, 404, 404, 404);
        rule("POST /api/v1/auth/oidc/token", 404, 404, 404, 404);
        rule("GET /api/v1/info", 200, 200, 200, 200);
        rule("GET /api/v1/ssh/host-ca", 200, 200, 200, 200);
        rule("GET /api/v1/openapi.yaml", 200, 200, 200, 200);
        rule("GET /healthz", 200, 200, 200, 200);
        rule("GET /readyz", 200, 200, 200, 200);
        rule("GET /metrics", 200, 200, 200, 200);
    }

    /** Request bodies that pass validation, so the access check is what answers. */
    private static final Map<String, String> BODIES = Map.of(
            "POST /api/v1/workspaces/{name}/activity",
            "{\"for\":\"1h\"}",
            "POST /api/v1/workspaces/{name}/usb/attachments",
            "{\"busid\":\"1-1\",\"vidPid\":\"0483:3748\"}",
            "POST /api/v1/images/pull",
            "{\"name\":\"nope\"}",
            "POST /api/v1/images/import",
            "{\"path\":\"/nonexistent/disk.qcow2\",\"name\":\"nope\"}",
            "PUT /api/v1/users/{name}/autostop",
            "{\"autostop\":\"template\"}");

    private static void rule(String op, int owner, int other, int auditor, int admin) {
        RULES.put(op, new int[] {owner, other, auditor, admin});
    }

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;
    private static TestHttp http;
    private static final Map<Caller, String> TOKENS = new EnumMap<>(Caller.class);

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
        http = cp.http();
        TOKENS.put(Caller.OWNER, cp.createUser("alice", Role.MEMBER).token());
        TOKENS.put(Caller.OTHER_MEMBER, cp.createUser("bob", Role.MEMBER).token());
        TOKENS.put(Caller.AUDITOR, cp.createUser("audrey", Role.AUDITOR).token());
        TOKENS.put(Caller.ADMIN, cp.adminToken());
        TOKENS.put(Caller.NO_TOKEN, "");
        TOKENS.put(Caller.DISABLED, cp.createUser("dora", Role.MEMBER).token());
        HttpResponse<String> disabled =
                http.send("PATCH", "/api/v1/users/dora", cp.adminToken(), "{\"disabled\":true}");
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        // An expired token of alice's: issued with an expiry in the past, straight into the store.
        Tokens.Issued old = Tokens.issue();
        Instant past = Instant.now().minus(Duration.ofHours(2));
        cp.server()
                .store()
                .users()
                .insertToken(new ApiToken(
                        old.id(),
                        "alice",
                        old.secretHash(),
                        "expired",
                        past,
                        Optional.of(past.plus(Duration.ofHours(1))),
                        Optional.empty()));
        TOKENS.put(Caller.EXPIRED, old.token());
        HttpResponse<String> created =
                http.post("/api/v1/users/me/tokens", TOKENS.get(Caller.OWNER), "{\"name\":\"to-revoke\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        TOKENS.put(Caller.REVOKED, TestHttp.json(created).get("secret").asText());
        assertThat(http.delete("/api/v1/users/me/tokens/to-revoke", TOKENS.get(Caller.OWNER))
                        .statusCode())
                .isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    @Test
    void everyDocumentedOperationHasARuleAndTheServerRegistersExactlyThose() throws Exception {
        assertThat(new TreeSet<>(RULES.keySet())).isEqualTo(new TreeSet<>(documented()));
        assertThat(new TreeSet<>(RULES.keySet())).isEqualTo(cp.server().routes());
    }

    @Test
    void everyCallerGetsTheStatusOfTheTableOnEveryOperation() throws Exception {
        List<String> ops = new ArrayList<>(documented());
        // deleting the workspace last, so the walk's other operations still find it
        ops.sort((a, b) -> Boolean.compare(
                a.equals("DELETE /api/v1/workspaces/{name}") || a.equals("DELETE /api/v1/labs/{name}"),
                b.equals("DELETE /api/v1/workspaces/{name}") || b.equals("DELETE /api/v1/labs/{name}")));
        List<String> mismatches = new ArrayList<>();
        for (Caller c : Caller.values()) {
            String ws = "w-" + c.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + SEQ.incrementAndGet();
            createRunning(ws);
            String lab = "l-" + c.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + SEQ.incrementAndGet();
            createLab(lab);
            for (String op : ops) {
                int[] row = RULES.get(op);
                assertThat(row).as("no rule for " + op).isNotNull();
                // a public operation answers a locked-out caller what it answers everyone (the owner's column)
                int expected = LOCKED_OUT.contains(c)
                        ? (PUBLIC.contains(op) ? row[Caller.OWNER.ordinal()] : 401)
                        : row[c.ordinal()];
                int actual = call(c, op, ws, lab);
                if (actual != expected) mismatches.add(c + " " + op + ": expected " + expected + ", got " + actual);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** Creates a running workspace of alice's, as alice. */
    private static void createRunning(String ws) {
        HttpResponse<String> r = http.post(
                "/api/v1/workspaces", TOKENS.get(Caller.OWNER), "{\"name\":\"" + ws + "\",\"template\":\"fake\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestHttp.json(http.get("/api/v1/workspaces/" + ws, TOKENS.get(Caller.OWNER)))
                        .get("phase")
                        .asText()
                        .equals("Running"));
    }

    /** Creates a one-member lab of alice's, as alice. */
    private static void createLab(String lab) {
        HttpResponse<String> r = http.post(
                "/api/v1/labs",
                TOKENS.get(Caller.OWNER),
                "{\"name\":\"" + lab + "\",\"template\":\"fake\",\"groups\":[{\"name\":\"m\",\"count\":1}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static int call(Caller c, String op, String ws, String lab) throws Exception {
        String method = op.substring(0, op.indexOf(' '));
        String template = op.substring(op.indexOf(' ') + 1);
        String path = template;
        String query = "";
        if (template.startsWith("/api/v1/labs/{name}")) {
            path = path.replace("{name}", lab);
            query = "?owner=alice";
        } else if (template.startsWith("/api/v1/workspaces/{name}")) {
            path = path.replace("{name}", ws);
            query = "?owner=alice";
        } else if (template.equals("/api/v1/users/{name}/quota") || template.equals("/api/v1/users/{name}/autostop")) {
            path = path.replace("{name}", "alice");
        } else if (template.equals("/api/v1/users/{name}")) {
            path = path.replace("{name}", method.equals("GET") ? "alice" : victim());
        } else {
            path = path.replace("{name}", template.startsWith("/api/v1/templates") ? "fake" : "nope");
        }
        path = path.replace("{busid}", "1-1");
        // Bodies valid in shape where one is needed to reach the access check.
        String body = BODIES.getOrDefault(
                op, method.equals("POST") || method.equals("PATCH") || method.equals("PUT") ? "{}" : null);
        if (template.endsWith("/console")) return webSocketStatus(TOKENS.get(c), path + query);
        if (op.equals("PUT /api/v1/secrets/{name}")) {
            // the raw value, as the API takes it; a name of its own, so the DELETE of "nope" stays 404
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                            cp.baseUri().resolve("/api/v1/secrets/walk-secret"))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("walk-value"));
            if (!TOKENS.get(c).isEmpty()) b.header("Authorization", "Bearer " + TOKENS.get(c));
            return http.send(b.build()).statusCode();
        }
        return http.send(method, path + query, TOKENS.get(c), body).statusCode();
    }

    /** A fresh member for the admin's PATCH and DELETE of a user. */
    private static String victim() {
        String name = "victim-" + SEQ.incrementAndGet();
        cp.createUser(name, Role.MEMBER);
        return name;
    }

    /** Opens the console WebSocket: 101 when upgraded, else the refusal's status. */
    private static int webSocketStatus(String token, String pathAndQuery) throws Exception {
        URI uri = URI.create(cp.baseUri().toString().replaceFirst("^http", "ws") + pathAndQuery);
        WebSocket.Builder b = http.client().newWebSocketBuilder();
        if (!token.isEmpty()) b.header("Authorization", "Bearer " + token);
        try {
            WebSocket ws = b.buildAsync(uri, new WebSocket.Listener() {}).get(20, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h)
                return h.getResponse().statusCode();
            throw e;
        }
    }

    /** @return "METHOD /path" of every operation in the served OpenAPI document */
    private static List<String> documented() throws Exception {
        HttpResponse<String> r = http.get("/api/v1/openapi.yaml", "");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(r.body()).get("paths");
        List<String> out = new ArrayList<>();
        paths.properties()
                .forEach(p -> p.getValue().properties().forEach(m -> {
                    String method = m.getKey().toUpperCase(Locale.ROOT);
                    if (List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method))
                        out.add(method + " " + p.getKey());
                }));
        return out;
    }
}
