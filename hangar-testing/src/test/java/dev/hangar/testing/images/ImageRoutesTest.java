package dev.hangar.testing.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.api.ImageView;
import dev.hangar.provider.qemu.QemuProviderFactory;
import dev.hangar.testing.QcowOverlays;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/images} over real HTTP against a control plane running the REAL qemu provider
 * (real {@code qemu-img} probes every image). Downloads come from an HTTP server on loopback that
 * this test starts, serving a qcow2 made here with {@code qemu-img create}: nothing leaves the host.
 */
class ImageRoutesTest {
    @TempDir
    Path tmp;

    private HttpServer mirror;
    private byte[] qcow2;
    private TestControlPlane cp;

    @BeforeEach
    void setUp() throws Exception {
        Path disk = tmp.resolve("small.qcow2");
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M")
                .inheritIO()
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        qcow2 = Files.readAllBytes(disk);

        mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mirror.createContext("/small.qcow2", ex -> {
            ex.sendResponseHeaders(200, qcow2.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(qcow2);
            }
        });
        mirror.start();
        String base = "http://127.0.0.1:" + mirror.getAddress().getPort();
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(qcow2));
        Path catalog = tmp.resolve("catalog.yaml");
        Files.writeString(catalog, """
                images:
                  - name: small
                    description: a 64 MiB empty qcow2 served on loopback
                    url: %s/small.qcow2
                    sha256: "%s"
                  - name: tampered
                    description: same file, wrong checksum
                    url: %s/small.qcow2
                    sha256: "%s"
                """.formatted(base, sha, base, "0".repeat(64)));
        cp = TestControlPlane.builder()
                .addProviderFactory(new QemuProviderFactory())
                .configure(
                        c -> c.withProvider("qemu", Map.of("accelerator", "tcg", "image-catalog", catalog.toString())))
                .start();
    }

    @AfterEach
    void tearDown() {
        if (cp != null) cp.close();
        if (mirror != null) mirror.stop(0);
    }

    private TestHttp http() {
        return cp.http();
    }

    private String token() {
        return cp.adminToken();
    }

    @Test
    void listsCatalogEntriesAsAvailable() {
        HttpResponse<String> r = http().get("/api/v1/images", token());
        assertThat(r.statusCode()).isEqualTo(200);
        List<ImageView> images = TestHttp.read(r, new com.fasterxml.jackson.core.type.TypeReference<>() {});
        assertThat(images).extracting(ImageView::name).containsExactly("small", "tampered");
        assertThat(images).allSatisfy(i -> assertThat(i.state()).isEqualTo("available"));
    }

    @Test
    void pullDownloadsInTheBackgroundAndVerifiesTheChecksum() {
        HttpResponse<String> r = http().post("/api/v1/images/pull", token(), "{\"name\":\"small\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ImageView v = TestHttp.read(http().get("/api/v1/images/small", token()), ImageView.class);
            assertThat(v.state()).isEqualTo("cached");
            assertThat(v.virtualSizeBytes()).isEqualTo(64L << 20);
        });
        assertThat(cp.home().resolve("providers/qemu/images/small/disk.qcow2")).exists();
        // idempotent: a second pull of a cached image answers cached at once
        ImageView again =
                TestHttp.read(http().post("/api/v1/images/pull", token(), "{\"name\":\"small\"}"), ImageView.class);
        assertThat(again.state()).isEqualTo("cached");
    }

    @Test
    void checksumMismatchFailsThePullAndLeavesNothing() throws IOException {
        assertThat(http().post("/api/v1/images/pull", token(), "{\"name\":\"tampered\"}")
                        .statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ImageView v = TestHttp.read(http().get("/api/v1/images/tampered", token()), ImageView.class);
            assertThat(v.state()).isEqualTo("failed");
            assertThat(v.error()).contains("checksum mismatch", "tampered");
            assertThat(v.error())
                    .contains(
                            "expected sha256:" + "0".repeat(64),
                            "got sha256:"
                                    + HexFormat.of()
                                            .formatHex(MessageDigest.getInstance("SHA-256")
                                                    .digest(qcow2)),
                            "hangar image import FILE --name tampered");
        });
        Path images = cp.home().resolve("providers/qemu/images");
        assertThat(images.resolve("tampered")).doesNotExist();
        try (var files = Files.walk(images)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void unknownImagesAreNamed() {
        HttpResponse<String> get = http().get("/api/v1/images/nope", token());
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(get.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(TestHttp.json(get).path("detail").asText()).contains("'nope'");

        HttpResponse<String> pull = http().post("/api/v1/images/pull", token(), "{\"name\":\"nope\"}");
        assertThat(pull.statusCode()).isEqualTo(422);
        JsonNode problem = TestHttp.json(pull);
        assertThat(problem.path("field").asText()).isEqualTo("name");
        assertThat(problem.path("detail").asText()).contains("unknown image 'nope'", "small", "hangar image import");
    }

    @Test
    void importCopiesAFileIntoTheCache() throws IOException {
        Path file = tmp.resolve("mine.qcow2");
        Files.write(file, qcow2);
        HttpResponse<String> r =
                http().post("/api/v1/images/import", token(), "{\"path\":\"" + file + "\",\"name\":\"mine\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        ImageView v = TestHttp.read(r, ImageView.class);
        assertThat(v).extracting(ImageView::state, ImageView::source).containsExactly("cached", "imported");
        List<ImageView> all = TestHttp.read(
                http().get("/api/v1/images", token()), new com.fasterxml.jackson.core.type.TypeReference<>() {});
        assertThat(all).extracting(ImageView::name).containsExactly("mine", "small", "tampered");

        HttpResponse<String> dup =
                http().post("/api/v1/images/import", token(), "{\"path\":\"" + file + "\",\"name\":\"mine\"}");
        assertThat(dup.statusCode()).isEqualTo(409);
    }

    @Test
    void importRejectsBadInputWithoutLeavingFiles() throws IOException {
        Path incomplete = Files.createDirectories(tmp.resolve("kernel-boot"));
        Files.writeString(incomplete.resolve("vmlinuz"), "not really");
        Path notAnImage = tmp.resolve("broken.qcow2");
        // A qcow2 header with garbage after it: qemu-img refuses it.
        byte[] broken = qcow2.clone();
        for (int i = 4; i < 64; i++) broken[i] = (byte) 0xff;
        Files.write(notAnImage, broken);

        record Case(String body, int status, String field, String detail) {}
        for (Case c : List.of(
                new Case("{\"path\":\"relative.qcow2\",\"name\":\"x\"}", 422, "path", "absolute"),
                new Case(
                        "{\"path\":\"" + tmp.resolve("missing.qcow2") + "\",\"name\":\"x\"}",
                        422,
                        "path",
                        "no such file"),
                new Case("{\"path\":\"" + incomplete + "\",\"name\":\"x\"}", 422, "path", "initrd.img is missing"),
                new Case("{\"path\":\"" + notAnImage + "\",\"name\":\"x\"}", 422, "path", "corrupt"),
                new Case("{\"path\":\"" + notAnImage + "\",\"name\":\"Bad Name\"}", 422, "name", "lower-case"),
                new Case("{\"name\":\"x\"}", 422, "path", "required"))) {
            HttpResponse<String> r = http().post("/api/v1/images/import", token(), c.body());
            assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(c.status());
            JsonNode problem = TestHttp.json(r);
            assertThat(problem.path("field").asText()).as(r.body()).isEqualTo(c.field());
            assertThat(problem.path("detail").asText()).as(r.body()).contains(c.detail());
        }
        try (var files = Files.list(cp.home().resolve("providers/qemu/images"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void onlyAdminsImport() throws IOException {
        Path file = tmp.resolve("mine.qcow2");
        Files.write(file, qcow2);
        TestControlPlane.Credentials dev = cp.createUser("dev", false);
        HttpResponse<String> r =
                http().post("/api/v1/images/import", dev.token(), "{\"path\":\"" + file + "\",\"name\":\"mine\"}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(TestHttp.json(r).path("detail").asText()).contains("only admins");
        // everyone may list and pull
        assertThat(http().get("/api/v1/images", dev.token()).statusCode()).isEqualTo(200);
    }

    @Test
    void importRefusesAJunkFileAndCachesNothing() throws IOException {
        Path junk = tmp.resolve("debian-12.qcow2");
        Files.writeString(junk, "junk\n");

        HttpResponse<String> r =
                http().post("/api/v1/images/import", token(), "{\"path\":\"" + junk + "\",\"name\":\"debian-12\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode problem = TestHttp.json(r);
        assertThat(problem.path("field").asText()).isEqualTo("path");
        assertThat(problem.path("detail").asText())
                .contains(junk + " is not a disk image", "(5 bytes)", "qcow2", "kernel-boot directory");
        assertThat(http().get("/api/v1/images/debian-12", token()).statusCode()).isEqualTo(404);
        try (var files = Files.list(cp.home().resolve("providers/qemu/images"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void deleteIsRefusedWhileAWorkspaceDiskUsesItAndNamesTheWorkspace() throws Exception {
        Path file = tmp.resolve("mine.qcow2");
        Files.write(file, qcow2);
        assertThat(http().post("/api/v1/images/import", token(), "{\"path\":\"" + file + "\",\"name\":\"mine\"}")
                        .statusCode())
                .isEqualTo(201);
        String workspace = "uses-mine-" + Long.toHexString(System.nanoTime());
        HttpResponse<String> created =
                http().post("/api/v1/workspaces", token(), "{\"name\":\"" + workspace + "\",\"template\":\"fake\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = TestHttp.json(created).path("id").asText();
        // The workspace's qemu overlay, as the provider creates it (qemu-img, backing file = the
        // cached image); no VM needs to boot for the image to be in use.
        Path dir = Files.createDirectories(
                cp.home().resolve("providers/qemu/workspaces").resolve(id));
        Path cachedDisk = cp.home().resolve("providers/qemu/images/mine/disk.qcow2");
        QcowOverlays.create(cachedDisk, "qcow2", dir.resolve("overlay.qcow2"));

        TestControlPlane.Credentials dev = cp.createUser("dev-" + Long.toHexString(System.nanoTime()), false);
        HttpResponse<String> notAdmin = http().delete("/api/v1/images/mine", dev.token());
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(TestHttp.json(notAdmin).path("detail").asText()).contains("only admins");

        HttpResponse<String> refused = http().delete("/api/v1/images/mine", token());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(TestHttp.json(refused).path("detail").asText())
                .contains("image 'mine' is still used", TestControlPlane.ADMIN + "/" + workspace, "hangar delete");
        assertThat(TestHttp.read(http().get("/api/v1/images/mine", token()), ImageView.class)
                        .state())
                .isEqualTo("cached");

        // Once the disk is gone (the workspace deleted), the image may go.
        Files.delete(dir.resolve("overlay.qcow2"));
        HttpResponse<String> deleted = http().delete("/api/v1/images/mine", token());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        assertThat(http().get("/api/v1/images/mine", token()).statusCode()).isEqualTo(404);
        assertThat(cp.home().resolve("providers/qemu/images/mine")).doesNotExist();
        HttpResponse<String> again = http().delete("/api/v1/images/mine", token());
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(TestHttp.json(again).path("detail").asText()).contains("'mine' is not cached");
    }

    @Test
    void aFailedPullNamesTheCauseAndTheOfflineRemedy() throws Exception {
        int refusing;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = s.getLocalPort();
        } // closed: connections to it are refused
        String base = "http://127.0.0.1:" + mirror.getAddress().getPort();
        Path catalog = tmp.resolve("failing-catalog.yaml");
        Files.writeString(catalog, """
                images:
                  - name: offline
                    url: http://127.0.0.1:%d/debian.qcow2
                    sha256: "%s"
                  - name: missing
                    url: %s/missing.qcow2
                    sha256: "%s"
                """.formatted(refusing, "0".repeat(64), base, "0".repeat(64)));
        try (TestControlPlane failing = TestControlPlane.builder()
                .addProviderFactory(new QemuProviderFactory())
                .configure(
                        c -> c.withProvider("qemu", Map.of("accelerator", "tcg", "image-catalog", catalog.toString())))
                .start()) {
            Map<String, String> causes = Map.of(
                    "offline", "connection refused to 127.0.0.1:" + refusing,
                    "missing", "HTTP 404 from " + base + "/missing.qcow2");
            for (var c : causes.entrySet()) {
                assertThat(failing.http()
                                .post("/api/v1/images/pull", failing.adminToken(), "{\"name\":\"" + c.getKey() + "\"}")
                                .statusCode())
                        .isEqualTo(202);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    ImageView v = TestHttp.read(
                            failing.http().get("/api/v1/images/" + c.getKey(), failing.adminToken()), ImageView.class);
                    assertThat(v.state()).isEqualTo("failed");
                    assertThat(v.error())
                            .contains(
                                    c.getValue(), "hangar image import FILE --name " + c.getKey(), "HANGAR_IMAGE_FILE")
                            .doesNotContain("null");
                });
            }
        }
    }
}
