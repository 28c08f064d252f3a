package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hangar.api.ServerInfo;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.TemplateView;
import dev.hangar.api.UserView;
import dev.hangar.core.service.HostKeys;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Templates, users/me, SSH keys, info and the unauthenticated operational endpoints. */
class UserTemplateSystemRoutesTest {
    private static TestControlPlane cp;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
        http = cp.http();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    @Test
    void templatesAreListedAndFetched() {
        List<TemplateView> all = TestHttp.read(
                http.get("/api/v1/templates", cp.adminToken()), new TypeReference<List<TemplateView>>() {});
        assertThat(all).extracting(TemplateView::name).containsExactly("fake");
        TemplateView t = TestHttp.read(http.get("/api/v1/templates/fake", cp.adminToken()), TemplateView.class);
        assertThat(t.provider()).isEqualTo("fake");
        assertThat(t.defaults()).isEqualTo(new TemplateView.Sizes(1, 512, 1));
        assertThat(t.limits().cpus()).isEqualTo(new TemplateView.Range(1, 8));
        problem(http.get("/api/v1/templates/nope", cp.adminToken()), 404, "");
        problem(http.get("/api/v1/templates", ""), 401, "");
        problem(http.get("/api/v1/templates/fake", "nope"), 401, "");
    }

    @Test
    void usersMeShowsTheTokensUser() {
        UserView me = TestHttp.read(http.get("/api/v1/users/me", cp.adminToken()), UserView.class);
        assertThat(me.name()).isEqualTo("admin");
        assertThat(me.admin()).isTrue();
        TestControlPlane.Credentials carol = cp.createUser("carol", false);
        UserView c = TestHttp.read(http.get("/api/v1/users/me", carol.token()), UserView.class);
        assertThat(c).extracting(UserView::name, UserView::admin).containsExactly("carol", false);
        problem(http.get("/api/v1/users/me", ""), 401, "");
    }

    @Test
    void sshKeysAreAddedListedAndRemoved() {
        TestControlPlane.Credentials dave = cp.createUser("dave", false);
        String line = HostKeys.generateEd25519("dave@laptop").publicKey() + " dave@laptop";
        HttpResponse<String> added = http.post("/api/v1/users/me/keys", dave.token(), "{\"key\":\"" + line + "\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        SshKeyView k = TestHttp.read(added, SshKeyView.class);
        assertThat(k.algorithm()).isEqualTo("ssh-ed25519");
        assertThat(k.bits()).isEqualTo(256);
        assertThat(k.fingerprint()).startsWith("SHA256:");
        assertThat(k.comment()).isEqualTo("dave@laptop");
        assertThat(added.headers().firstValue("Location").orElseThrow())
                .isEqualTo("/api/v1/users/me/keys?fingerprint="
                        + URLEncoder.encode(k.fingerprint(), StandardCharsets.UTF_8));

        List<SshKeyView> keys = TestHttp.read(
                http.get("/api/v1/users/me/keys", dave.token()), new TypeReference<List<SshKeyView>>() {});
        assertThat(keys).containsExactly(k);
        // other users do not see it and cannot remove it
        String fp = URLEncoder.encode(k.fingerprint(), StandardCharsets.UTF_8);
        assertThat(TestHttp.read(
                        http.get("/api/v1/users/me/keys", cp.adminToken()), new TypeReference<List<SshKeyView>>() {}))
                .doesNotContain(k);
        problem(http.delete("/api/v1/users/me/keys?fingerprint=" + fp, cp.adminToken()), 404, "");

        HttpResponse<String> removed = http.delete("/api/v1/users/me/keys?fingerprint=" + fp, dave.token());
        assertThat(removed.statusCode()).isEqualTo(204);
        assertThat(removed.body()).isEmpty();
        problem(http.delete("/api/v1/users/me/keys?fingerprint=" + fp, dave.token()), 404, "");
        problem(http.delete("/api/v1/users/me/keys", dave.token()), 400, "fingerprint");
        problem(http.get("/api/v1/users/me/keys", ""), 401, "");
        problem(http.post("/api/v1/users/me/keys", "", "{\"key\":\"" + line + "\"}"), 401, "");
        problem(http.delete("/api/v1/users/me/keys?fingerprint=" + fp, ""), 401, "");
    }

    @Test
    void infoReportsVersionAndNoGateway() {
        ServerInfo info = TestHttp.read(http.get("/api/v1/info", cp.adminToken()), ServerInfo.class);
        assertThat(info.version()).isNotBlank().isNotEqualTo("unknown");
        assertThat(info.gatewayHost()).isEmpty();
        assertThat(info.gatewayPort()).isZero();
        assertThat(info.gatewayHostKey()).isEmpty();
        problem(http.get("/api/v1/info", ""), 401, "");
    }

    @Test
    void sshHostCaIsTheKeyGeneratedPrivatelyInHangarHome() throws java.io.IOException {
        dev.hangar.api.SshHostCa ca =
                TestHttp.read(http.get("/api/v1/ssh/host-ca", cp.adminToken()), dev.hangar.api.SshHostCa.class);
        assertThat(ca.publicKey()).matches("ssh-ed25519 AAAA[A-Za-z0-9+/]+=*");
        java.nio.file.Path file = cp.home().resolve("ssh/host_ca");
        assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(file + ".pub")))
                .startsWith(ca.publicKey() + " ");
        // the same CA across a restart of the server on the same HANGAR_HOME
        assertThat(dev.hangar.core.service.HostCertificateAuthority.loadOrCreate(file)
                        .publicKey())
                .isEqualTo(ca.publicKey());
        problem(http.get("/api/v1/ssh/host-ca", ""), 401, "");
    }

    @Test
    void healthReadinessMetricsAndOpenApiNeedNoToken() {
        HttpResponse<String> health = http.get("/healthz", "");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        HttpResponse<String> ready = http.get("/readyz", "");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(TestHttp.json(ready).path("store").asText()).contains("sqlite");
        HttpResponse<String> spec = http.get("/api/v1/openapi.yaml", "");
        assertThat(spec.statusCode()).isEqualTo(200);
        assertThat(spec.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
        assertThat(spec.body()).startsWith("openapi: 3.1.0");
    }

    @Test
    void metricsExposeHttpTimingsWorkspaceCountsAndReconcilePasses() {
        String name = "metered";
        assertThat(http.post("/api/v1/workspaces", cp.adminToken(), "{\"name\":\"" + name + "\",\"template\":\"fake\"}")
                        .statusCode())
                .isEqualTo(201);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> http.get("/api/v1/workspaces/" + name, cp.adminToken())
                        .body()
                        .contains("\"Running\""));
        long version = TestHttp.read(
                        http.get("/api/v1/workspaces/" + name, cp.adminToken()), dev.hangar.api.WorkspaceView.class)
                .version();
        assertThat(http.get(
                                "/api/v1/workspaces/" + name + "?changedFrom=" + (version - 1) + "&waitSeconds=1",
                                cp.adminToken())
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> m = http.get("/metrics", "");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(m.body())
                .contains(
                        "hangar_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/workspaces\",status=\"201\"}")
                .contains("route=\"/api/v1/workspaces/{name}\"")
                // a held request (up to 20 s by design) has a label of its own
                .contains("route=\"/api/v1/workspaces/{name}?changedFrom\"")
                .containsPattern("hangar_workspaces\\{phase=\"Running\"} [1-9]")
                .contains("hangar_reconcile_passes_seconds_count{outcome=\"ok\",provider=\"fake\"}")
                .contains("hangar_provision_phase_seconds_bucket{phase=\"boot\",provider=\"fake\"");
    }
}
