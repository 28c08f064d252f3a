package dev.hangar.nocloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @Test
    void networkConfigIsPackedWhenGivenAndFilesAreReadFromADirectory() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("user-data"), "#cloud-config\nhostname: pi\n");
        Files.writeString(src.resolve("meta-data"), "");
        Files.writeString(src.resolve("network-config"), "network:\n  version: 2\n");
        Files.writeString(src.resolve("README"), "not part of the seed");
        Path iso = dir.resolve("cidata.iso");

        NoCloudSeed.write(iso, NoCloudFiles.read(src));

        assertThat(run("isoinfo", "-R", "-f", "-i", iso.toString()).lines())
                .containsExactlyInAnyOrder("/meta-data", "/network-config", "/user-data");
        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/network-config"))
                .isEqualTo("network:\n  version: 2\n");
        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/meta-data"))
                .isEmpty();
    }

    @Test
    void readingADirectoryWithoutUserDataOrMetaDataSaysWhatIsMissing() throws Exception {
        Path src = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> NoCloudFiles.read(src))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(src + " has no user-data and no meta-data; a NoCloud seed needs both (meta-data may be an"
                        + " empty file)");
        Files.writeString(src.resolve("user-data"), "#cloud-config\n");
        assertThatThrownBy(() -> NoCloudFiles.read(src))
                .hasMessage(src + " has no meta-data; a NoCloud seed needs both (meta-data may be an empty file)");
        assertThatThrownBy(() -> NoCloudFiles.read(src.resolve("user-data")))
                .hasMessageContaining("is not a directory");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS))
                .as("%s finished", List.of(command))
                .isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return out;
    }
}
