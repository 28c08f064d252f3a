package dev.hangar.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/hangar, the real launcher, over this build's distribution (target/lib, hence an IT: it runs
 * after {@code package}): CLI commands start from the CLI's jar alone, and the AOT cache is an
 * optimisation that never makes a command fail. A damaged or stale cache is ignored (the command's
 * output is the same, nothing on stderr) and rebuilt in the background; without a writable cache
 * directory everything runs without caches. No server: the training run's {@code list} meets a
 * closed port, which is part of its workload.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path LAUNCHER = ROOT.resolve("bin/hangar");
    private static final Path LIB = ROOT.resolve("hangar-dist/target/lib");

    @TempDir
    Path tmp;

    private Path cacheDir;

    @BeforeEach
    void dirs() throws IOException {
        Files.createDirectories(tmp.resolve("home"));
        cacheDir = tmp.resolve("cache/hangar/cds");
    }

    /** The training runs detached: let it finish before JUnit deletes its directory. */
    @AfterEach
    void awaitTraining() throws Exception {
        try (Stream<Path> s = Files.exists(cacheDir) ? Files.list(cacheDir) : Stream.empty()) {
            for (Path lock : s.filter(p -> p.toString().endsWith(".lock")).toList()) {
                new ProcessBuilder("flock", lock.toString(), "true")
                        .inheritIO()
                        .start()
                        .waitFor(5, TimeUnit.MINUTES);
            }
        }
    }

    @Test
    void theCliJarsManifestNamesOnlyJarsTheDistributionHas() throws IOException {
        Path cliJar;
        try (Stream<Path> s = Files.list(LIB)) {
            cliJar = s.filter(p -> p.getFileName().toString().matches("hangar-cli-.*\\.jar"))
                    .findFirst()
                    .orElseThrow();
        }
        String classPath;
        try (JarFile jar = new JarFile(cliJar.toFile())) {
            classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
        }
        assertThat(classPath.split(" "))
                .contains("picocli-4.7.7.jar")
                .allSatisfy(name ->
                        assertThat(LIB.resolve(name)).as("%s in %s", name, LIB).isRegularFile());
    }

    @Test
    void aDamagedOrStaleCacheIsIgnoredAndRebuilt() throws Exception {
        Run first = hangar("template", "--help");
        assertThat(first.code()).isZero();
        assertThat(first.out()).startsWith("Usage: hangar template [-hV] [COMMAND]");
        Path cache = awaitIntactCache();
        Run cached = hangar("template", "--help");
        assertThat(cached).isEqualTo(first);

        // The cache is named hangar-cli-<distribution>-<build>.aot. A retraining prunes this
        // distribution's earlier builds only: another checkout's caches in the same directory, and
        // the unkeyed names an older launcher wrote, stay.
        String distribution = cache.getFileName().toString().split("-")[2];
        Path earlierBuild = Files.writeString(cacheDir.resolve("hangar-cli-" + distribution + "-1.aot"), "old");
        Path earlierServer = Files.writeString(cacheDir.resolve("hangar-" + distribution + "-1.jsa"), "old");
        Path otherCheckout = Files.writeString(cacheDir.resolve("hangar-cli-7-1.aot"), "other");
        Path otherServer = Files.writeString(cacheDir.resolve("hangar-7-1.jsa"), "other");
        Path olderLauncher = Files.writeString(cacheDir.resolve("hangar-cli-42.aot"), "older launcher");

        // Damaged: a truncated cache (e.g. a disk that filled up while copying a home directory).
        byte[] head = new byte[4096];
        System.arraycopy(Files.readAllBytes(cache), 0, head, 0, head.length);
        Files.write(cache, head);
        assertThat(hangar("template", "--help")).isEqualTo(first);
        assertThat(Files.size(awaitIntactCache())).isGreaterThan(head.length);
        // the pruning follows the rename that made the cache intact
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            assertThat(earlierBuild).doesNotExist();
            assertThat(earlierServer).doesNotExist();
        });
        assertThat(otherCheckout).exists();
        assertThat(otherServer).exists();
        assertThat(olderLauncher).exists();

        // Stale: a whole, valid AOT cache of another class path and other options, with a matching
        // stamp (as if copied from another installation). The JVM refuses to map it by itself
        // (-XX:AOTMode=auto) and the command runs as without a cache.
        Path other = tmp.resolve("other.aot");
        Process p = new ProcessBuilder(
                        java(),
                        "-XX:AOTCacheOutput=" + other,
                        "-cp",
                        LIB.resolve("picocli-4.7.7.jar").toString(),
                        "picocli.AutoComplete",
                        "--help")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("other.log").toFile())
                .start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(other).as(Files.readString(tmp.resolve("other.log"))).isNotEmptyFile();
        Files.move(other, cache, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(stamp(cache), stampOf(cache) + "\n");
        assertThat(hangar("template", "--help")).isEqualTo(first);
        assertThat(hangar("list", "-V").out()).matches("hangar \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
    }

    @Test
    void withoutAWritableCacheDirectoryEverythingRunsWithoutCaches() throws Exception {
        // A cache directory that cannot be created, for root too (a read-only HOME stops only
        // other users): XDG_CACHE_HOME under a regular file.
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", file.resolve("cache").toString());
        Run run = hangar(env, "template", "--help");
        assertThat(run.code()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("Usage: hangar template [-hV] [COMMAND]");
        assertThat(hangar(env, "--help").out()).startsWith("Usage: hangar [-hV] [COMMAND]");
        // `list` meets a closed port: the usual error, nothing from the launcher or the JVM.
        assertThat(hangar(env, "list").err()).startsWith("error: cannot reach the Hangar server");
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    private record Run(int code, String out, String err) {}

    private Run hangar(String... args) throws Exception {
        return hangar(Map.of(), args);
    }

    private Run hangar(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HANGAR_") || k.startsWith("XDG_"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("HOME", tmp.resolve("home").toString());
        env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        env.put("HANGAR_HOME", tmp.resolve("hangar").toString());
        env.put("HANGAR_URL", "http://127.0.0.1:" + closedPort());
        env.put("HANGAR_TOKEN", "hgr_launcher_it");
        env.putAll(extraEnv);
        Process p = pb.start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES))
                .as("bin/hangar %s ends", args)
                .isTrue();
        return new Run(
                p.exitValue(),
                Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    /** @return the cache once the background training has written it and its stamp */
    private Path awaitIntactCache() {
        return await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(500))
                .until(this::intactCache, Optional::isPresent)
                .orElseThrow();
    }

    private Optional<Path> intactCache() throws IOException {
        if (!Files.isDirectory(cacheDir)) return Optional.empty();
        try (Stream<Path> s = Files.list(cacheDir)) {
            for (Path c : s.filter(p -> p.getFileName().toString().matches("hangar-cli-\\d+-\\d+\\.aot"))
                    .toList()) {
                Path stamp = stamp(c);
                if (Files.exists(stamp) && Files.readString(stamp).strip().equals(stampOf(c))) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    private static Path stamp(Path cache) {
        return cache.resolveSibling(cache.getFileName() + ".stamp");
    }

    /** The launcher's stamp: {@code stat -c '%s %Y'}, size in bytes and modification time in s. */
    private static String stampOf(Path cache) throws IOException {
        return Files.size(cache) + " " + Files.getLastModifiedTime(cache).to(TimeUnit.SECONDS);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** @return a loopback port nobody listens on (bound, then released) */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
