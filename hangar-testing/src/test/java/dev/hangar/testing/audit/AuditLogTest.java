package dev.hangar.testing.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hangar.api.AuditEntryView;
import dev.hangar.api.client.AuditFilter;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.core.domain.Role;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.GuestSsh;
import dev.hangar.testfixtures.HostCommands;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log through the real server over real sockets (issue #15, item 6): one entry per
 * action kind (HTTP writes, failed authentication with the token's name, console, USB, gateway
 * connections accepted and refused, gateway login failures), filters and keyset paging of {@code
 * GET /api/v1/audit} and of the client, members refused, auditors and admins reading.
 */
class AuditLogTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static TestControlPlane cp;
    private static TestHttp http;
    private static SshClient ssh;
    private static String admin;
    private static String alice;
    private static String auditor;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.builder()
                .gateway(new SshGatewayHook())
                .configure(c -> c.withGateway(Map.of("listen-port", "0")))
                .start();
        http = cp.http();
        admin = cp.adminToken();
        alice = cp.createUser("al-audit", Role.MEMBER).token();
        auditor = cp.createUser("au-audit", Role.AUDITOR).token();
        ssh = SshClient.setUpDefaultClient();
        ssh.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        ssh.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ssh != null) ssh.stop();
        if (cp != null) cp.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    /** @return every entry, newest first, read through the API as the admin */
    private static List<AuditEntryView> all() {
        HttpResponse<String> r = http.get("/api/v1/audit?limit=1000", admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.read(r, new TypeReference<List<AuditEntryView>>() {});
    }

    /** Waits until an entry with these fields is in the log, and returns it. */
    private static AuditEntryView awaitEntry(String actor, String action, String target, String outcome) {
        return await().atMost(T)
                .until(
                        () -> all().stream()
                                .filter(e -> e.actor().equals(actor)
                                        && e.action().equals(action)
                                        && e.target().equals(target)
                                        && e.outcome().equals(outcome))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static void createRunning(String token, String ws) {
        HttpResponse<String> r =
                http.post("/api/v1/workspaces", token, "{\"name\":\"" + ws + "\",\"template\":\"fake\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        await().atMost(T)
                .until(() -> TestHttp.json(http.get("/api/v1/workspaces/" + ws, token))
                        .get("phase")
                        .asText()
                        .equals("Running"));
    }

    @Test
    void workspaceWritesAreRecordedWithActorTargetSourceAndStatus() {
        String ws = unique("aw");
        createRunning(alice, ws);
        AuditEntryView created = awaitEntry("al-audit", "workspace.create", "al-audit/" + ws, "201");
        assertThat(created.source()).isEqualTo("127.0.0.1");
        assertThat(created.at()).isNotNull();

        assertThat(http.post("/api/v1/workspaces/" + ws + "/stop", alice, null).statusCode())
                .isEqualTo(202);
        awaitEntry("al-audit", "workspace.stop", "al-audit/" + ws, "202");
        // an admin acting on alice's workspace: the target is alice's
        assertThat(http.post("/api/v1/workspaces/" + ws + "/start?owner=al-audit", admin, null)
                        .statusCode())
                .isEqualTo(202);
        awaitEntry("admin", "workspace.start", "al-audit/" + ws, "202");
        // refused writes are recorded with their status: an auditor changes nothing
        assertThat(http.post("/api/v1/workspaces/" + ws + "/restart?owner=al-audit", auditor, null)
                        .statusCode())
                .isEqualTo(403);
        awaitEntry("au-audit", "workspace.restart", "al-audit/" + ws, "403");
        // a bad create names no target (there is none), but is recorded
        assertThat(http.post("/api/v1/workspaces", alice, "{\"name\":\"Not_A_Name\",\"template\":\"fake\"}")
                        .statusCode())
                .isEqualTo(422);
        awaitEntry("al-audit", "workspace.create", "", "422");

        assertThat(http.delete("/api/v1/workspaces/" + ws, alice).statusCode()).isEqualTo(202);
        awaitEntry("al-audit", "workspace.delete", "al-audit/" + ws, "202");
    }

    @Test
    void userAndTokenAdministrationIsRecordedByNameNeverBySecret() {
        String bob = unique("bob");
        HttpResponse<String> c = http.post("/api/v1/users", admin, "{\"name\":\"" + bob + "\"}");
        assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
        awaitEntry("admin", "user.create", bob, "201");
        assertThat(http.send("PATCH", "/api/v1/users/" + bob, admin, "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        awaitEntry("admin", "user.disable", bob, "200");
        assertThat(http.send("PATCH", "/api/v1/users/" + bob, admin, "{\"disabled\":false}")
                        .statusCode())
                .isEqualTo(200);
        awaitEntry("admin", "user.enable", bob, "200");
        assertThat(http.send("PATCH", "/api/v1/users/" + bob, admin, "{\"role\":\"auditor\"}")
                        .statusCode())
                .isEqualTo(200);
        awaitEntry("admin", "user.role", bob, "200");

        String name = unique("ci");
        HttpResponse<String> t = http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"" + name + "\"}");
        assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
        String secret = TestHttp.json(t).get("secret").asText();
        awaitEntry("al-audit", "token.create", "al-audit/" + name, "201");
        // the token's id with a wrong secret: a failed authentication naming the token, by name
        // hgr_<16 hex id>_<43 characters of secret>; the secret itself may contain '_'
        String forged = secret.substring(0, "hgr_".length() + 16 + 1) + "W".repeat(43);
        assertThat(http.get("/api/v1/workspaces", forged).statusCode()).isEqualTo(401);
        AuditEntryView failed = awaitEntry("anonymous", "auth.failed", "al-audit/" + name, "401");
        assertThat(failed.source()).isEqualTo("127.0.0.1");
        assertThat(http.delete("/api/v1/users/me/tokens/" + name, alice).statusCode())
                .isEqualTo(204);
        awaitEntry("al-audit", "token.revoke", "al-audit/" + name, "204");

        // the revoked token is used: it names no token any more
        assertThat(http.get("/api/v1/workspaces", secret).statusCode()).isEqualTo(401);
        // a token that names no token, and no token at all
        assertThat(http.delete("/api/v1/workspaces/x", "hgr_0123456789abcdef_" + "A".repeat(43))
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.post("/api/v1/workspaces", "", "{}").statusCode()).isEqualTo(401);
        await().atMost(T)
                .until(() -> all().stream()
                                .filter(e -> e.action().equals("auth.failed")
                                        && e.target().isEmpty())
                                .count()
                        >= 3);
        assertThat(all()).allSatisfy(e -> {
            assertThat(e.target()).doesNotContain(secret.substring("hgr_".length() + 16 + 1));
            assertThat(e.toString()).doesNotContain(secret);
        });
    }

    @Test
    void aFloodOfBadTokensIsAuditedInFullOffTheRequestPath() throws Exception {
        String name = unique("flood");
        HttpResponse<String> t = http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"" + name + "\"}");
        assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
        String secret = TestHttp.json(t).get("secret").asText();
        // the token's id with a wrong secret: every 401 names this token, so its entries are countable
        String forged = secret.substring(0, "hgr_".length() + 16 + 1) + "F".repeat(43);
        int clients = 8;
        int each = 40;
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<List<Integer>>> runs = new ArrayList<>();
            for (int c = 0; c < clients; c++)
                runs.add(pool.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < each; i++)
                        statuses.add(http.get("/api/v1/workspaces", forged).statusCode());
                    return statuses;
                }));
            for (var run : runs) assertThat(run.get(60, TimeUnit.SECONDS)).containsOnly(401);
        }
        // under this load (well below the queue's 4,096) every 401 is recorded, none dropped
        await().atMost(T)
                .until(() -> all().stream()
                                .filter(e -> e.action().equals("auth.failed")
                                        && e.target().equals("al-audit/" + name))
                                .count()
                        == clients * each);
        assertThat(all())
                .filteredOn(e -> e.action().equals("auth.failed") && e.target().equals("al-audit/" + name))
                .allSatisfy(e -> {
                    assertThat(e.actor()).isEqualTo("anonymous");
                    assertThat(e.outcome()).isEqualTo("401");
                    assertThat(e.source()).isEqualTo("127.0.0.1");
                });
        assertThat(http.get("/metrics", "").body()).contains("hangar_audit_dropped_total 0.0");
    }

    @Test
    void usbAttachAndDetachAndConsoleSessionsAreRecorded() throws Exception {
        String ws = unique("uw");
        createRunning(alice, ws);
        String base = "/api/v1/workspaces/" + ws + "/usb/attachments";
        // no device is allowed on this server: the attach is refused (403), and recorded
        assertThat(http.post(base, alice, "{\"busid\":\"1-1\",\"vidPid\":\"0483:3748\"}")
                        .statusCode())
                .isEqualTo(403);
        awaitEntry("al-audit", "usb.attach", "al-audit/" + ws, "403");
        assertThat(http.delete(base + "/1-2", alice).statusCode()).isEqualTo(204);
        awaitEntry("al-audit", "usb.detach", "al-audit/" + ws + "/1-2", "204");

        // the fake provider has no serial console: the open is refused before the upgrade (409)
        URI uri = URI.create(
                cp.baseUri().toString().replaceFirst("^http", "ws") + "/api/v1/workspaces/" + ws + "/console");
        try {
            http.client()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + alice)
                    .buildAsync(uri, new WebSocket.Listener() {})
                    .get(20, TimeUnit.SECONDS)
                    .abort();
        } catch (java.util.concurrent.ExecutionException expected) {
            // refused: what matters is the entry
        }
        AuditEntryView open = awaitEntry("al-audit", "console.open", "al-audit/" + ws, "409");
        assertThat(open.source()).isEqualTo("127.0.0.1");

        // without a token: one auth.failed (the upgrade is refused once, and recorded once)
        long before = all().getFirst().seq();
        try {
            http.client()
                    .newWebSocketBuilder()
                    .buildAsync(uri, new WebSocket.Listener() {})
                    .get(20, TimeUnit.SECONDS)
                    .abort();
        } catch (java.util.concurrent.ExecutionException expected) {
            // refused with 401
        }
        await().atMost(T)
                .until(() -> all().stream()
                        .anyMatch(e -> e.seq() > before && e.action().equals("auth.failed")));
        assertThat(all().stream().filter(e -> e.seq() > before && e.action().equals("auth.failed")))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.actor()).isEqualTo("anonymous");
                    assertThat(e.outcome()).isEqualTo("401");
                });
    }

    private static ClientSession login(String user, KeyPair key) throws Exception {
        ClientSession s = ssh.connect(user, "127.0.0.1", cp.server().gateway().port())
                .verify(T)
                .getSession();
        s.addPublicKeyIdentity(key);
        s.auth().verify(T);
        return s;
    }

    @Test
    void gatewayConnectionsAcceptedAndRefusedAndFailedLoginsAreRecorded() throws Exception {
        String user = unique("gw");
        String token = cp.createUser(user, Role.MEMBER).token();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair key = g.generateKeyPair();
        KeyPair stranger = g.generateKeyPair();
        assertThat(http.post(
                                "/api/v1/users/me/keys",
                                token,
                                "{\"key\":\"" + PublicKeyEntry.toString(key.getPublic()) + "\"}")
                        .statusCode())
                .isEqualTo(201);
        awaitEntry(user, "key.add", user, "201");
        String ws = unique("gws");
        try (ServerSocket sshd = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            cp.fake().sshEndpoint(ws, new SshEndpoint("127.0.0.1", sshd.getLocalPort()));
            createRunning(token, ws);
            ClientSession first = login(user, key);
            ChannelDirectTcpip relay = first.createDirectTcpipChannel(
                    new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress(ws + ".hangar", 22));
            relay.open().verify(T);
            try (Socket accepted = sshd.accept()) {
                awaitEntry(user, "gateway.connect", user + "/" + ws, "ok");
            }
            // the client goes away: the relay's end is recorded
            first.close(true).await(T);
            awaitEntry(user, "gateway.disconnect", user + "/" + ws, "ok");
            try (ClientSession s = login(user, key);
                    ChannelDirectTcpip ch = s.createDirectTcpipChannel(
                            new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("nope.hangar", 22))) {
                org.apache.sshd.client.future.OpenFuture refused = ch.open();
                assertThat(refused.await(T)).isTrue();
                assertThat(refused.isOpened()).isFalse();
            }
            awaitEntry(user, "gateway.connect", "nope.hangar:22", "denied");
        }
        // a key nobody registered: a failed login, attributed to nobody
        try (ClientSession s = ssh.connect(
                        user, "127.0.0.1", cp.server().gateway().port())
                .verify(T)
                .getSession()) {
            s.addPublicKeyIdentity(stranger);
            assertThat(s.auth().await(T)).isTrue();
            assertThat(s.isAuthenticated()).isFalse();
        }
        AuditEntryView login = awaitEntry("anonymous", "auth.failed", "ssh-gateway/" + user, "denied");
        assertThat(login.source()).startsWith("127.0.0.1");
    }

    /**
     * The real OpenSSH client with a key nobody registered, three times: each rejected login is one
     * {@code auth.failed} entry, written off MINA's threads by the server's audit queue and none
     * dropped under this load.
     */
    @Test
    void openSshLoginsWithAnUnregisteredKeyAreEachRecordedThroughTheQueue(@TempDir Path tmp) throws Exception {
        String user = unique("ossh");
        cp.createUser(user, Role.MEMBER);
        Path key = tmp.resolve("id_ed25519");
        HostCommands.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", key.toString()))
                .orThrow("ssh-keygen");
        // strict host key checking against the gateway's own key: the login reaches the key check
        GuestSsh stranger = GuestSsh.pinned(
                cp.server().gateway().port(),
                user,
                key,
                tmp.resolve("known_hosts"),
                cp.server().gateway().hostKey());
        for (int i = 0; i < 3; i++) {
            GuestSsh.Result r = stranger.run("true", T);
            assertThat(r.code()).as(r.err()).isEqualTo(255);
            assertThat(r.err()).contains("Permission denied");
        }
        java.util.function.Supplier<List<AuditEntryView>> rejected = () -> all().stream()
                .filter(e -> e.action().equals("auth.failed") && e.target().equals("ssh-gateway/" + user))
                .toList();
        await().atMost(T).until(() -> rejected.get().size() >= 3);
        assertThat(rejected.get()).hasSize(3).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("anonymous");
            assertThat(e.outcome()).isEqualTo("denied");
            assertThat(e.source()).startsWith("127.0.0.1");
        });
        assertThat(http.get("/metrics", "").body()).contains("hangar_audit_dropped_total 0.0");
    }

    /**
     * Entries nobody authenticated caused, which anyone can send in bulk, go through the server's
     * audit queue and still arrive: a cross-site POST to the dashboard ({@code
     * dashboard.cross-site}) and a failed OIDC token exchange on a server without OIDC ({@code
     * auth.oidc}, 404).
     */
    @Test
    void unauthenticatedRefusalsAreRecordedThroughTheQueue() {
        String path = "/ui/keys";
        HttpResponse<String> crossSite =
                http.send(HttpRequest.newBuilder(http.base().resolve(path))
                        .header("Origin", "http://evil.example")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("csrf=x&key=y"))
                        .build());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        long before = all().stream()
                .filter(e -> e.action().equals("auth.oidc") && e.outcome().equals("404"))
                .count();
        HttpResponse<String> oidc = http.post(
                "/api/v1/auth/oidc/token",
                "",
                "{\"code\":\"c\",\"codeVerifier\":\"v\",\"redirectUri\":\"http://127.0.0.1:1/cb\",\"nonce\":\"n\"}");
        assertThat(oidc.statusCode()).as(oidc.body()).isEqualTo(404);

        AuditEntryView refused = awaitEntry("anonymous", "dashboard.cross-site", path, "403");
        assertThat(refused.source()).isEqualTo("127.0.0.1");
        await().atMost(T)
                .until(() -> all().stream()
                                .filter(e -> e.actor().equals("anonymous")
                                        && e.action().equals("auth.oidc")
                                        && e.outcome().equals("404"))
                                .count()
                        > before);
    }

    @Test
    void filtersAndKeysetPagingThroughTheApiAndTheClient() {
        String victim = unique("pg");
        cp.createUser(victim, Role.MEMBER);
        for (int i = 0; i < 7; i++) {
            assertThat(http.send("PATCH", "/api/v1/users/" + victim, admin, "{\"disabled\":" + (i % 2 == 0) + "}")
                            .statusCode())
                    .isEqualTo(200);
        }
        await().atMost(T)
                .until(() ->
                        all().stream().filter(e -> e.target().equals(victim)).count() == 7);
        List<AuditEntryView> expected = all().stream()
                .filter(e -> e.target().equals(victim) && e.action().startsWith("user."))
                .toList();

        // pages of 3 through the Link header: newest first, no repeats, no gaps
        List<AuditEntryView> paged = new ArrayList<>();
        String next = "/api/v1/audit?user=admin&action=user.&limit=3";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> r = http.get(next, auditor);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            paged.addAll(TestHttp.read(r, new TypeReference<List<AuditEntryView>>() {}));
            next = r.headers()
                    .firstValue("Link")
                    .map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>')))
                    .orElse(null);
            pages++;
        }
        List<AuditEntryView> mine =
                paged.stream().filter(e -> e.target().equals(victim)).toList();
        assertThat(mine).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(paged)).hasSameSizeAs(paged);
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(paged).isSortedAccordingTo((a, b) -> Long.compare(b.seq(), a.seq()));
        assertThat(paged).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("admin");
            assertThat(e.action()).startsWith("user.");
        });

        // exact action, and since: the newest disable's time
        HttpResponse<String> r = http.get("/api/v1/audit?action=user.disable&user=admin", admin);
        List<AuditEntryView> disables = TestHttp.read(r, new TypeReference<List<AuditEntryView>>() {});
        assertThat(disables).isNotEmpty().allSatisfy(e -> assertThat(e.action()).isEqualTo("user.disable"));
        String since = expected.getFirst().at().toString();
        List<AuditEntryView> recent = TestHttp.read(
                http.get("/api/v1/audit?since=" + since, admin), new TypeReference<List<AuditEntryView>>() {});
        assertThat(recent)
                .allSatisfy(e ->
                        assertThat(e.at()).isAfterOrEqualTo(expected.getFirst().at()));
        assertThat(recent).contains(expected.getFirst());

        // the client follows pages and stops at max
        try (HangarClient client =
                new HangarClient(ClientSettings.of(cp.baseUri().toString(), auditor))) {
            List<AuditEntryView> viaClient = client.admin().audit(new AuditFilter("", "admin", "user."), 5);
            assertThat(viaClient).hasSize(5).containsExactlyElementsOf(paged.subList(0, 5));
        }
    }

    @Test
    void onlyAdminsAndAuditorsReadTheLogAndBadParametersAreNamed() {
        assertThat(http.get("/api/v1/audit", alice).statusCode()).isEqualTo(403);
        assertThat(http.get("/api/v1/audit", auditor).statusCode()).isEqualTo(200);
        assertThat(http.get("/api/v1/audit", admin).statusCode()).isEqualTo(200);
        assertThat(http.get("/api/v1/audit", "").statusCode()).isEqualTo(401);
        HttpResponse<String> since = http.get("/api/v1/audit?since=yesterday", admin);
        assertThat(since.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(since).get("field").asText()).isEqualTo("since");
        HttpResponse<String> cont = http.get("/api/v1/audit?continue=bm9wZQ", admin);
        assertThat(cont.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(cont).get("field").asText()).isEqualTo("continue");
        assertThat(http.get("/api/v1/audit?limit=0", admin).statusCode()).isEqualTo(400);
        // reading is not itself a write: no entry for these GETs
        assertThat(all()).noneMatch(e -> e.action().contains("audit"));
    }
}
