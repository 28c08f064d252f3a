package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.vm.ImageCatalog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache against a real HTTP server on 127.0.0.1 (the JDK's, with a small Range handler) and the
 * real qemu-img. Images are tiny qcow2 files made with qemu-img, so nothing is downloaded from the
 * internet.
 */
class ImageCacheTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
    private QemuImg qemuImg;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.start();
        qemuImg = new QemuImg(Binaries.resolve("qemu-img", "qemu-utils"));
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    /** Serves {@link #files}; honours "Range: bytes=N-" with 206 as RFC 9110 section 14 describes. */
    private void serve(HttpExchange exchange) throws IOException {
        byte[] body = files.get(exchange.getRequestURI().getPath());
        if (body == null) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        String range = exchange.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null) {
            rangeHeaders.add(range);
            int from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
            if (from >= body.length) {
                exchange.sendResponseHeaders(416, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders()
                    .add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            body = Arrays.copyOfRange(body, from, body.length);
            status = 206;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private byte[] realQcow2() throws Exception {
        Path image = tmp.resolve("src-" + System.nanoTime() + ".qcow2");
        Command.Result r = Command.run(
                List.of("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M"), Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Files.readAllBytes(image);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private ImageCache cache(String catalogYaml) {
        return new ImageCache(
                tmp.resolve("images"), ImageCatalog.parse(catalogYaml, "test"), qemuImg, HttpClient.newHttpClient());
    }

    private List<String> leftovers() throws IOException {
        Path images = tmp.resolve("images");
        if (!Files.exists(images)) return List.of();
        try (Stream<Path> s = Files.walk(images)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> images.relativize(p).toString())
                    .toList();
        }
    }

    @Test
    void pullsVerifiesAgainstAPublishedChecksumFileAndCaches() throws Exception {
        byte[] image = realQcow2();
        files.put("/img/tiny.qcow2", image);
        files.put(
                "/img/SHA256SUMS",
                (sha256("x".getBytes()) + " *other.img\n" + sha256(image) + " *tiny.qcow2\n").getBytes());
        ImageCache cache = cache("images:\n  - name: tiny\n    url: " + url("/img/tiny.qcow2") + "\n    checksum-url: "
                + url("/img/SHA256SUMS") + "\n");
        List<long[]> progress = new ArrayList<>();

        BaseImage pulled = cache.pull("tiny", (done, total) -> progress.add(new long[] {done, total}));

        assertThat(pulled.format()).isEqualTo("qcow2");
        assertThat(pulled.virtualSize()).isEqualTo(64L << 20);
        assertThat(pulled.boot()).isInstanceOf(BaseImage.Boot.Firmware.class);
        assertThat(Files.readAllBytes(pulled.disk())).isEqualTo(image);
        assertThat(progress.getLast()).containsExactly(image.length, image.length);
        assertThat(leftovers()).containsExactly("tiny/disk.qcow2");
        // Second pull: served from the cache, no request.
        files.clear();
        assertThat(cache.pull("tiny", DownloadProgress.NONE)).isEqualTo(pulled);
        assertThat(cache.list()).containsExactly(pulled);
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws Exception {
        byte[] image = realQcow2();
        String sha = sha256(image);
        files.put("/tiny.qcow2", image);
        ImageCache cache =
                cache("images:\n  - name: tiny\n    url: " + url("/tiny.qcow2") + "\n    sha256: " + sha + "\n");
        Path part = tmp.resolve("images/.downloads/tiny.sha256-" + sha.substring(0, 12) + ".part");
        Files.createDirectories(part.getParent());
        int half = image.length / 2;
        Files.write(part, Arrays.copyOf(image, half));

        BaseImage pulled = cache.pull("tiny", DownloadProgress.NONE);

        assertThat(rangeHeaders).containsExactly("bytes=" + half + "-");
        assertThat(Files.readAllBytes(pulled.disk())).isEqualTo(image);
        assertThat(leftovers()).containsExactly("tiny/disk.qcow2");
    }

    @Test
    void checksumMismatchIsPermanentAndLeavesNothing() throws Exception {
        files.put("/tiny.qcow2", realQcow2());
        String wrong = "0a".repeat(32);
        ImageCache cache =
                cache("images:\n  - name: tiny\n    url: " + url("/tiny.qcow2") + "\n    sha256: " + wrong + "\n");

        assertThatThrownBy(() -> cache.pull("tiny", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("checksum mismatch for image tiny")
                .hasMessageContaining("expected sha256:" + wrong)
                .hasMessageContaining("hangar image import FILE --name tiny")
                .matches(e -> ((ProviderException) e).permanent());
        assertThat(leftovers()).isEmpty();
        assertThat(cache.cached("tiny")).isEmpty();
    }

    @Test
    void corruptImageIsPermanentAndLeavesNothing() throws Exception {
        // A qcow2 header (magic "QFI\xfb", version 3) followed by garbage: qemu-img info must refuse it.
        byte[] corrupt = new byte[4096];
        Arrays.fill(corrupt, (byte) 0x5a);
        System.arraycopy(new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3}, 0, corrupt, 0, 8);
        files.put("/bad.qcow2", corrupt);
        ImageCache cache = cache(
                "images:\n  - name: bad\n    url: " + url("/bad.qcow2") + "\n    sha256: " + sha256(corrupt) + "\n");

        assertThatThrownBy(() -> cache.pull("bad", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("is corrupt")
                .matches(e -> ((ProviderException) e).permanent());
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void wrongFormatCountsAsCorrupt() throws Exception {
        byte[] notAnImage = "<html>mirror error page</html>".getBytes(StandardCharsets.UTF_8);
        files.put("/page.qcow2", notAnImage);
        ImageCache cache = cache("images:\n  - name: page\n    url: " + url("/page.qcow2") + "\n    sha256: "
                + sha256(notAnImage) + "\n");

        assertThatThrownBy(() -> cache.pull("page", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("corrupt or not a qcow2 image (qemu-img detects raw)");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void unknownImageIsPermanentAndNamesTheCatalog() {
        ImageCache cache =
                cache("images:\n  - name: tiny\n    url: https://127.0.0.1:1/t\n    sha256: " + "0a".repeat(32) + "\n");

        assertThatThrownBy(() -> cache.pull("windows-11", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("unknown image 'windows-11'")
                .hasMessageContaining("[tiny]")
                .hasMessageContaining("hangar image import")
                .matches(e -> ((ProviderException) e).permanent());
    }

    @Test
    void networkErrorsAreTransient() {
        ImageCache cache = cache("images:\n  - name: gone\n    url: " + url("/missing.qcow2") + "\n    sha256: "
                + "0a".repeat(32) + "\n");

        assertThatThrownBy(() -> cache.pull("gone", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("failed: HTTP 404 from " + url("/missing.qcow2") + " (the next try resumes it)")
                .hasMessageContaining("hangar image import FILE --name gone")
                .hasMessageContaining("HANGAR_IMAGE_FILE")
                .hasMessageNotContaining("null")
                .matches(e -> !((ProviderException) e).permanent());
    }

    @Test
    void aRefusedConnectionNamesHostAndPortNotNull() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } // closed: connections to it are refused
        ImageCache cache = cache("images:\n  - name: offline\n    url: http://127.0.0.1:" + port
                + "/debian.qcow2\n    sha256: " + "0a".repeat(32) + "\n");

        assertThatThrownBy(() -> cache.pull("offline", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("failed: connection refused to 127.0.0.1:" + port)
                .hasMessageContaining("hangar image import FILE --name offline")
                .hasMessageNotContaining("null")
                .matches(e -> !((ProviderException) e).permanent());
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aDownloadThatIsNoDiskImageNeverEntersTheCache() throws Exception {
        byte[] junk = "junk\n".getBytes(StandardCharsets.UTF_8);
        files.put("/junk.raw", junk);
        ImageCache cache = cache("images:\n  - name: junk\n    url: " + url("/junk.raw")
                + "\n    format: raw\n    sha256: " + sha256(junk) + "\n");

        assertThatThrownBy(() -> cache.pull("junk", DownloadProgress.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("is not a disk image")
                .matches(e -> ((ProviderException) e).permanent());
        assertThat(leftovers()).isEmpty();
        assertThat(cache.cached("junk")).isEmpty();
    }

    @Test
    void importRefusesJunkAndAKernelBootDirectoryWithoutARootFilesystem() throws Exception {
        Path junk = tmp.resolve("junk.qcow2");
        Files.writeString(junk, "junk\n");
        Path kernelBoot = Files.createDirectories(tmp.resolve("kb"));
        Files.writeString(kernelBoot.resolve("vmlinuz"), "k");
        Files.writeString(kernelBoot.resolve("initrd.img"), "i");
        Command.Result r = Command.run(
                List.of("truncate", "-s", "64M", kernelBoot.resolve("root.raw").toString()), Duration.ofSeconds(10));
        assertThat(r.exitCode()).isZero();
        ImageCache cache = cache("images: []");

        assertThatThrownBy(() -> cache.importImage(junk, "debian-12"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("image " + junk + " is not a disk image")
                .hasMessageContaining("(5 bytes)")
                .matches(e -> ((ProviderException) e).permanent());
        assertThatThrownBy(() -> cache.importImage(kernelBoot, "kb"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining(kernelBoot.resolve("root.raw") + " is not a disk image");
        assertThat(leftovers()).isEmpty();
        assertThat(cache.list()).isEmpty();
    }

    @Test
    void deleteRemovesACachedImageAndIsIdempotent() throws Exception {
        Path source = tmp.resolve("gone.qcow2");
        Files.write(source, realQcow2());
        ImageCache cache = cache("images: []");
        cache.importImage(source, "gone");

        assertThat(cache.delete("gone")).isTrue();
        assertThat(cache.cached("gone")).isEmpty();
        assertThat(leftovers()).isEmpty();
        assertThat(cache.delete("gone")).isFalse();
        assertThat(cache.delete("../escape")).isFalse();
    }

    @Test
    void importsADiskImageFile() throws Exception {
        Path source = tmp.resolve("mine.qcow2");
        Files.write(source, realQcow2());
        ImageCache cache = cache("images: []");

        BaseImage imported = cache.importImage(source, "mine");

        assertThat(imported.format()).isEqualTo("qcow2");
        assertThat(imported.disk()).isEqualTo(tmp.resolve("images/mine/disk.qcow2"));
        assertThat(Files.exists(source)).isTrue();
        assertThatThrownBy(() -> cache.importImage(source, "mine"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("already in the cache");
        assertThatThrownBy(() -> cache.importImage(tmp.resolve("nope.qcow2"), "other"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> cache.importImage(source, "../escape"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("lower-case");
        assertThat(leftovers()).containsExactly("mine/disk.qcow2");
    }

    @Test
    void importsAKernelBootDirectorySparsely() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("kernel-boot"));
        Files.writeString(source.resolve("vmlinuz"), "kernel bytes");
        Files.writeString(source.resolve("initrd.img"), "initrd bytes");
        Files.writeString(source.resolve("cmdline"), "root=/dev/vda rw console=ttyS0 quiet\n");
        // A small ext4 filesystem (no journal, so little is written) at the start of a 1 GiB sparse
        // file: a real root filesystem as far as the import's check goes, mostly a hole.
        Path root = source.resolve("root.raw");
        Command.Result r = Command.run(List.of("truncate", "-s", "8M", root.toString()), Duration.ofSeconds(10));
        assertThat(r.exitCode()).isZero();
        r = Command.run(
                List.of("mkfs.ext4", "-q", "-F", "-O", "^has_journal", root.toString()), Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        r = Command.run(List.of("truncate", "-s", "1G", root.toString()), Duration.ofSeconds(10));
        assertThat(r.exitCode()).isZero();
        ImageCache cache = cache("images: []");

        BaseImage imported = cache.importImage(source, "test-debian");

        assertThat(imported.format()).isEqualTo("raw");
        assertThat(imported.virtualSize()).isEqualTo(1L << 30);
        assertThat(imported.boot())
                .isEqualTo(new BaseImage.Boot.Kernel(
                        tmp.resolve("images/test-debian/vmlinuz"),
                        tmp.resolve("images/test-debian/initrd.img"),
                        "root=/dev/vda rw console=ttyS0 quiet"));
        // The 1 GiB hole was not written out.
        long allocatedKiB =
                Long.parseLong(Command.run(List.of("du", "-k", imported.disk().toString()), Duration.ofSeconds(10))
                        .stdout()
                        .split("\\s+")[0]);
        assertThat(allocatedKiB).isLessThan(1024);
    }

    @Test
    void kernelBootImportNeedsAllFiles() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("incomplete"));
        Files.writeString(source.resolve("vmlinuz"), "k");
        ImageCache cache = cache("images: []");

        assertThatThrownBy(() -> cache.importImage(source, "incomplete"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("initrd.img is missing");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aCachedImageIsProbedOnceUntilItsFileChanges() throws Exception {
        // qemu-img through a wrapper that counts its runs: a create looks its image up on every pass
        Path count = tmp.resolve("qemu-img-runs");
        Path wrapper = tmp.resolve("qemu-img-counting");
        Files.writeString(
                wrapper,
                "#!/bin/sh\necho run >> '" + count + "'\nexec '" + Binaries.resolve("qemu-img", "qemu-utils")
                        + "' \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        ImageCache cache = new ImageCache(
                tmp.resolve("images"),
                ImageCatalog.parse("images: []\n", "test"),
                new QemuImg(wrapper),
                HttpClient.newHttpClient());
        Path source = tmp.resolve("src.qcow2");
        Files.write(source, realQcow2());
        cache.importImage(source, "counted");
        long afterImport = Files.readAllLines(count).size();

        BaseImage first = cache.cached("counted").orElseThrow();
        BaseImage second = cache.cached("counted").orElseThrow();

        // the import's own look at the cached directory is remembered: no probe for either lookup
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllLines(count)).hasSize((int) afterImport);
        Path disk = first.disk();
        Files.setLastModifiedTime(
                disk, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertThat(cache.cached("counted").orElseThrow().virtualSize()).isEqualTo(first.virtualSize());
        assertThat(Files.readAllLines(count)).hasSize((int) afterImport + 1);
        cache.cached("counted").orElseThrow();
        assertThat(Files.readAllLines(count)).hasSize((int) afterImport + 1);
    }
}
