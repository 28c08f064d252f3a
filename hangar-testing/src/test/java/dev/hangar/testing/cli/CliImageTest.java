package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.cli.CliHarness;
import dev.hangar.provider.qemu.QemuProviderFactory;
import dev.hangar.testing.TestControlPlane;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar image list|pull|import} against a control plane with the REAL qemu provider; the
 * catalog's one image is served by an HTTP server on loopback that this test starts.
 */
class CliImageTest {
    @TempDir
    Path tmp;

    @Test
    void pullListImport() throws Exception {
        Path disk = tmp.resolve("small.qcow2");
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "32M")
                .inheritIO()
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        byte[] bytes = Files.readAllBytes(disk);
        HttpServer mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mirror.createContext("/small.qcow2", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        mirror.start();
        Path catalog = tmp.resolve("catalog.yaml");
        Files.writeString(
                catalog,
                "images:\n  - name: small\n    url: http://127.0.0.1:"
                        + mirror.getAddress().getPort()
                        + "/small.qcow2\n    sha256: \""
                        + HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)) + "\"\n"
                        // the mirror answers 404 for this one
                        + "  - name: gone\n    url: http://127.0.0.1:"
                        + mirror.getAddress().getPort()
                        + "/gone.qcow2\n    sha256: \"" + "0".repeat(64) + "\"\n");
        try (TestControlPlane cp = TestControlPlane.builder()
                .addProviderFactory(new QemuProviderFactory())
                .configure(
                        c -> c.withProvider("qemu", Map.of("accelerator", "tcg", "image-catalog", catalog.toString())))
                .start()) {
            CliHarness cli = new CliHarness(tmp.resolve("user"))
                    .env("HANGAR_URL", cp.baseUri().toString())
                    .env("HANGAR_TOKEN", cp.adminToken())
                    .interactive(true);

            CliHarness.Result list = cli.run("image", "list");
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("NAME", "small", "available");

            CliHarness.Result pull = cli.run("image", "pull", "small");
            assertThat(pull.code()).as(pull.err()).isZero();
            assertThat(pull.out()).contains("image small: cached");

            assertThat(cli.run("image", "list").out()).containsPattern("small +qemu +cached +0\\.0 GiB");

            CliHarness.Result imported = cli.run("image", "import", disk.toString(), "--name", "mine");
            assertThat(imported.code()).as(imported.err()).isZero();
            assertThat(imported.out()).contains("image mine (qemu): cached");
            CliHarness.Result again = cli.run("image", "import", disk.toString(), "--name", "mine");
            assertThat(again.code()).isEqualTo(5);
            assertThat(again.err()).contains("already cached");

            Path junk = tmp.resolve("junk.qcow2");
            Files.writeString(junk, "junk\n");
            CliHarness.Result refused = cli.run("image", "import", junk.toString(), "--name", "debian-12");
            assertThat(refused.code()).as(refused.err()).isEqualTo(6);
            assertThat(refused.err()).contains(junk + " is not a disk image", "(5 bytes)");
            assertThat(cli.run("image", "list").out()).doesNotContain("debian-12");

            // A workspace whose qemu disk is based on "mine" (the overlay as the provider makes it).
            String workspace = "cli-uses-mine-" + Long.toHexString(System.nanoTime());
            var created = cp.http()
                    .post(
                            "/api/v1/workspaces",
                            cp.adminToken(),
                            "{\"name\":\"" + workspace + "\",\"template\":\"fake\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            Path dir = Files.createDirectories(cp.home()
                    .resolve("providers/qemu/workspaces")
                    .resolve(
                            dev.hangar.testing.TestHttp.json(created).path("id").asText()));
            dev.hangar.testing.QcowOverlays.create(
                    cp.home().resolve("providers/qemu/images/mine/disk.qcow2"), "qcow2", dir.resolve("overlay.qcow2"));
            CliHarness.Result inUse = cli.run("image", "delete", "mine");
            assertThat(inUse.code()).as(inUse.err()).isEqualTo(5);
            assertThat(inUse.err()).contains("image 'mine' is still used", "/" + workspace);
            assertThat(cli.run("image", "list").out()).containsPattern("mine +qemu +cached");
            Files.delete(dir.resolve("overlay.qcow2"));

            CliHarness.Result deleted = cli.run("image", "delete", "mine");
            assertThat(deleted.code()).as(deleted.err()).isZero();
            assertThat(deleted.out()).contains("image mine: deleted");
            assertThat(cli.run("image", "list").out()).doesNotContain("mine");
            CliHarness.Result notCached = cli.run("image", "delete", "mine");
            assertThat(notCached.code()).isEqualTo(4);
            assertThat(notCached.err()).contains("'mine' is not cached");

            CliHarness.Result failed = cli.run("image", "pull", "gone");
            assertThat(failed.code()).as(failed.out()).isEqualTo(1);
            assertThat(failed.err()).contains("pulling image gone failed: ", "HTTP 404");
            // The list says why instead of only "failed".
            assertThat(cli.run("image", "list").out()).containsPattern("gone +qemu +failed +- +failed: .*HTTP 404");

            CliHarness.Result unknown = cli.run("image", "pull", "nope");
            assertThat(unknown.code()).isNotZero();
            assertThat(unknown.err()).contains("unknown image 'nope'", "small");
        } finally {
            mirror.stop(0);
        }
    }
}
