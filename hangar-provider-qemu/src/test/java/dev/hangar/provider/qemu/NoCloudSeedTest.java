package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the seed back with the real isoinfo (apt genisoimage) and blkid, as cloud-init does (it finds the seed with blkid, label matched
 * case-insensitively). */
class NoCloudSeedTest {
    @TempDir
    Path dir;

    @Test
    void writesCidataVolumeWithMetaDataAndUserData() throws Exception {
        Path iso = dir.resolve("seed.iso");
        String userData = "#cloud-config\nhostname: dev\nruncmd:\n  - echo \"ünïcödé\"\n";
        NoCloudSeed.write(iso, "instance-id: abc\nlocal-hostname: dev\n", userData);

        // ECMA-119 8.4: the primary volume descriptor is at sector 16; the volume id at byte 40.
        try (RandomAccessFile f = new RandomAccessFile(iso.toFile(), "r")) {
            byte[] pvd = new byte[72];
            f.seek(16 * 2048);
            f.readFully(pvd);
            assertThat(pvd[0]).isEqualTo((byte) 1);
            assertThat(new String(pvd, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("CD001");
            assertThat(new String(pvd, 40, 32, StandardCharsets.US_ASCII).strip())
                    .isEqualTo("CIDATA");
        }
        assertThat(run("blkid", "-p", "-o", "export", iso.toString()))
                .containsIgnoringCase("LABEL=cidata")
                .contains("TYPE=iso9660");
        assertThat(run("isoinfo", "-R", "-f", "-i", iso.toString())).contains("/meta-data", "/user-data");
        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/user-data"))
                .isEqualTo(userData);
        assertThat(run("isoinfo", "-J", "-i", iso.toString(), "-x", "/meta-data;1"))
                .isEqualTo("instance-id: abc\nlocal-hostname: dev\n");
        assertThat(Files.list(dir)).containsExactly(iso);
    }

    @Test
    void rewritingReplacesTheContent() throws Exception {
        Path iso = dir.resolve("seed.iso");
        NoCloudSeed.write(iso, "instance-id: a\n", "#cloud-config\nhostname: one\n");
        NoCloudSeed.write(iso, "instance-id: a\n", "#cloud-config\nhostname: two\n");

        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/user-data"))
                .isEqualTo("#cloud-config\nhostname: two\n");
    }

    private static String run(String... command) throws Exception {
        Command.Result r = Command.run(List.of(command), java.time.Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout();
    }
}
