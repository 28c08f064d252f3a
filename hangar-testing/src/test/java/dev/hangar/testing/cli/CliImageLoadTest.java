package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.provider.spi.NodeImages;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.server.ImageLoadSettings;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar image load} and {@code POST /api/v1/admin/image-loads} through the real server, client
 * and CLI, with a stand-in {@link NodeImages} (a cluster's nodes cannot run in a unit test; the real
 * loader against a real cluster is KubernetesWorkspaceIT's, against the mock API server
 * NodeImageLoaderTest's). Checks the upload arrives whole with its SHA-256, progress streams per node,
 * a failed node makes the exit code 1, and the admin switch, the role and bad input are refused with
 * messages that say what to do.
 */
class CliImageLoadTest {
    @TempDir
    Path tmp;

    /** Records the uploads; node "bad" fails. */
    private static final class Nodes implements NodeImages {
        final List<String> uploads = new ArrayList<>();
        final List<Path> files = new ArrayList<>();

        @Override
        public List<String> nodes() {
            return List.of("bad", "n1", "n2");
        }

        @Override
        public ArchiveInfo inspect(Path archive) {
            try {
                byte[] head = Files.readAllBytes(archive);
                if (head.length >= 3
                        && new String(head, 0, 3, java.nio.charset.StandardCharsets.US_ASCII).equals("not"))
                    throw new ProviderException(
                            archive.getFileName() + " is not an image archive hangar can load", true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ArchiveInfo(
                    "docker-archive", List.of(new NamedImage("docker.io/library/tool:1", "sha256:" + "a".repeat(64))));
        }

        @Override
        public List<NodeProgress> load(
                Path archive, String sha256, List<String> nodes, Settings settings, Consumer<NodeProgress> progress) {
            long size;
            try {
                size = Files.size(archive);
                uploads.add(sha256 + " " + size + " " + settings.loaderImage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.add(archive);
            List<NodeProgress> out = new ArrayList<>();
            for (String node : nodes) {
                progress.accept(new NodeProgress(node, Phase.STARTING, 0, size, 0, ""));
                progress.accept(new NodeProgress(node, Phase.UPLOADING, size, size, 10, ""));
                NodeProgress last = node.equals("bad")
                        ? new NodeProgress(node, Phase.FAILED, 0, size, 20, "no ctr binary at /usr/bin/ctr on node bad")
                        : new NodeProgress(node, Phase.DONE, size, size, 2000, "docker.io/library/tool:1");
                progress.accept(last);
                out.add(last);
            }
            return out;
        }
    }

    @Test
    void loadsOntoTheNamedNodesShowingProgressAndFailsWhenANodeFails() throws Exception {
        Nodes nodes = new Nodes();
        // 3 MiB: far above the 64 KiB the server allows JSON bodies.
        byte[] bytes = new byte[3 << 20];
        new java.util.Random(1).nextBytes(bytes);
        Path archive = Files.write(tmp.resolve("tool.tar"), bytes);
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        try (TestControlPlane cp = TestControlPlane.builder()
                .fake(p -> p.nodeImages(nodes))
                .configure(c -> c.withImageLoad(new ImageLoadSettings(
                        true,
                        new NodeImages.Settings(
                                "hangar-image-load", "localhost/loader:1", "/usr/bin/ctr", "/run/c.sock"))))
                .start()) {
            CliHarness admin = new CliHarness(tmp.resolve("admin"))
                    .env("HANGAR_URL", cp.baseUri().toString())
                    .env("HANGAR_TOKEN", cp.adminToken());

            CliHarness.Result ok = admin.run("image", "load", archive.toString(), "--node", "n2", "--node", "n1");
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(nodes.uploads).containsExactly(sha + " " + bytes.length + " localhost/loader:1");
            assertThat(ok.err())
                    .contains(
                            "docker.io/library/tool:1@sha256:aaaa",
                            "node n1: starting",
                            "node n1: uploading 3.0 MiB / 3.0 MiB");
            assertThat(ok.out().lines().toList())
                    .containsExactly(
                            "node n1: loaded in 2.0 s (3.0 MiB, 1.5 MiB/s)",
                            "node n2: loaded in 2.0 s (3.0 MiB, 1.5 MiB/s)");
            // The upload's temporary file is gone once the load ended.
            assertThat(nodes.files).allSatisfy(f -> assertThat(f).doesNotExist());

            CliHarness.Result failed = admin.run("image", "load", archive.toString());
            assertThat(failed.code()).isEqualTo(1);
            assertThat(failed.out())
                    .contains("node bad: failed: no ctr binary at /usr/bin/ctr on node bad", "node n2: loaded");
            assertThat(failed.err()).contains("1 of 3 node(s) did not get the image");

            CliHarness.Result unknown = admin.run("image", "load", archive.toString(), "--node", "n9");
            assertThat(unknown.code()).as(unknown.err()).isNotZero();
            assertThat(unknown.err()).contains("no node named n9; the cluster has bad, n1, n2");

            Path notes = Files.writeString(tmp.resolve("notes.tar"), "not an image");
            CliHarness.Result junk = admin.run("image", "load", notes.toString());
            assertThat(junk.code()).isNotZero();
            assertThat(junk.err()).contains("the uploaded file is not an image archive hangar can load");

            CliHarness.Result missing =
                    admin.run("image", "load", tmp.resolve("nope.tar").toString());
            assertThat(missing.code()).isEqualTo(2);
            assertThat(missing.err()).contains("no file", "nope.tar");

            String member = cp.createUser("bob", false).token();
            CliHarness.Result refused = new CliHarness(tmp.resolve("bob"))
                    .env("HANGAR_URL", cp.baseUri().toString())
                    .env("HANGAR_TOKEN", member)
                    .run("image", "load", archive.toString());
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("only admins may load images");
            assertThat(nodes.uploads).hasSize(2);
        }
    }

    @Test
    void isRefusedUntilAnAdminTurnsItOn() throws Exception {
        Path archive = Files.writeString(tmp.resolve("tool.tar"), "image bytes");
        Nodes nodes = new Nodes();
        try (TestControlPlane cp =
                TestControlPlane.builder().fake(p -> p.nodeImages(nodes)).start()) {
            CliHarness.Result off = new CliHarness(tmp.resolve("admin"))
                    .env("HANGAR_URL", cp.baseUri().toString())
                    .env("HANGAR_TOKEN", cp.adminToken())
                    .run("image", "load", archive.toString());
            assertThat(off.code()).isNotZero();
            assertThat(off.err()).contains("image loading is off on this server", "image-load.enabled");
            assertThat(nodes.uploads).isEmpty();
        }
    }
}
