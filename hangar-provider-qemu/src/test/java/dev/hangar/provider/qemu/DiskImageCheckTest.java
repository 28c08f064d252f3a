package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What counts as a disk image, on real small files made with the real tools ({@code qemu-img},
 * {@code mkfs.ext4}, {@code sfdisk}) and probed with the real qemu-img.
 */
class DiskImageCheckTest {
    @TempDir
    Path tmp;

    private QemuImg qemuImg;

    @BeforeEach
    void setUp() {
        qemuImg = new QemuImg(Binaries.resolve("qemu-img", "qemu-utils"));
    }

    private void run(String... command) throws Exception {
        Command.Result r = Command.run(List.of(command), Duration.ofSeconds(30));
        assertThat(r.exitCode())
                .as(String.join(" ", command) + ": " + r.stderr())
                .isZero();
    }

    private void check(Path file) throws Exception {
        DiskImageCheck.require(file, qemuImg.info(file), file.toString());
    }

    @Test
    void acceptsQcow2() throws Exception {
        Path f = tmp.resolve("small.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", f.toString(), "16M");
        assertThatCode(() -> check(f)).doesNotThrowAnyException();
    }

    @Test
    void acceptsRawWithAnExt4Filesystem() throws Exception {
        Path f = tmp.resolve("root.raw");
        run("mkfs.ext4", "-q", "-F", f.toString(), "8M");
        assertThat(qemuImg.info(f).format()).isEqualTo("raw");
        assertThat(DiskImageCheck.rawSignature(f)).contains("ext2/3/4 filesystem");
        assertThatCode(() -> check(f)).doesNotThrowAnyException();
    }

    @Test
    void acceptsRawWithAnMbrOrGptPartitionTable() throws Exception {
        Path mbr = tmp.resolve("mbr.raw");
        run("truncate", "-s", "8M", mbr.toString());
        run("sh", "-c", "echo 'start=2048, type=83' | sfdisk -q " + mbr);
        assertThat(DiskImageCheck.rawSignature(mbr)).contains("MBR partition table or boot sector");
        assertThatCode(() -> check(mbr)).doesNotThrowAnyException();

        Path gpt = tmp.resolve("gpt.raw");
        run("truncate", "-s", "8M", gpt.toString());
        run("sh", "-c", "printf 'label: gpt\\nstart=2048, type=L\\n' | sfdisk -q " + gpt);
        // A GPT disk carries a protective MBR too; the GPT header is found first.
        assertThat(DiskImageCheck.rawSignature(gpt)).contains("GPT partition table");
        assertThatCode(() -> check(gpt)).doesNotThrowAnyException();
    }

    @Test
    void refusesAFiveByteJunkFileNamingWhatIsAccepted() throws Exception {
        Path junk = tmp.resolve("debian-12.qcow2");
        Files.writeString(junk, "junk\n");
        assertThat(qemuImg.info(junk).format())
                .as("qemu-img calls anything raw")
                .isEqualTo("raw");

        assertThatThrownBy(() -> check(junk))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("image " + junk + " is not a disk image")
                .hasMessageContaining("qemu-img detects raw data (5 bytes) with no partition table or filesystem")
                .hasMessageContaining("qcow2")
                .hasMessageContaining("kernel-boot directory")
                .matches(e -> ((ProviderException) e).permanent());
    }

    @Test
    void refusesRawZerosAndAnHtmlPage() throws Exception {
        Path zeros = tmp.resolve("zeros.raw");
        run("truncate", "-s", "8M", zeros.toString());
        Path page = tmp.resolve("page.raw");
        Files.writeString(page, "<html><body>404 Not Found</body></html>\n".repeat(100));
        for (Path f : List.of(zeros, page)) {
            assertThat(DiskImageCheck.rawSignature(f)).as(f.toString()).isEmpty();
            assertThatThrownBy(() -> check(f)).as(f.toString()).hasMessageContaining("is not a disk image");
        }
    }
}
