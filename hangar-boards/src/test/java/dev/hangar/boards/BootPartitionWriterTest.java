package dev.hangar.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes into real SD-card images built by the test (sfdisk + mkfs.vfat, MBR and GPT) and reads the
 * files back with mtools, byte for byte; fsck.vfat checks the file system afterwards, and checksums
 * show that nothing outside the FAT partition changed.
 */
class BootPartitionWriterTest {
    @TempDir
    Path dir;

    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("user-data", "#cloud-config\nhostname: bee42-crew-01-001\nruncmd:\n  - echo \"ünïcödé\"\n");
        FILES.put("meta-data", "instance-id: bee42-crew-01-001-abc\nlocal-hostname: bee42-crew-01-001\n");
        FILES.put("network-config", "network:\n  version: 2\n" + "x".repeat(70_000) + "\n");
        FILES.put("ssh", "");
    }

    @Test
    void writesTheFilesIntoTheFatPartitionOfAnMbrImageAndNothingElse() throws Exception {
        Path img = SdImages.mbr(dir, "mbr.img");
        assertWritesOnlyTheFatPartition(img);
    }

    @Test
    void writesTheFilesIntoTheFatPartitionOfAGptImageAndNothingElse() throws Exception {
        Path img = SdImages.gpt(dir, "gpt.img");
        assertWritesOnlyTheFatPartition(img);
    }

    private void assertWritesOnlyTheFatPartition(Path img) throws Exception {
        // the image's own files, as Ubuntu's system-boot has a user-data: replaced, others kept
        SdImages.putWithMtools(
                img, "user-data", "#cloud-config\n# the image's default, longer than ours" + "!".repeat(5000));
        SdImages.putWithMtools(img, "config.txt", "arm_64bit=1\n");
        long end = Files.size(img);
        String before = SdImages.sha256(img, 0, SdImages.FAT_OFFSET);
        String afterPart = SdImages.sha256(img, SdImages.FAT_OFFSET + SdImages.FAT_SIZE, end);

        PartitionTable.Partition p = BootPartitionWriter.write(img, FILES);

        assertThat(p.number()).isEqualTo(1);
        assertThat(p.offset()).isEqualTo(SdImages.FAT_OFFSET);
        assertThat(p.size()).isEqualTo(SdImages.FAT_SIZE);
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            assertThat(SdImages.readWithMtools(img, f.getKey()))
                    .as(f.getKey())
                    .isEqualTo(f.getValue().getBytes(StandardCharsets.UTF_8));
        }
        assertThat(SdImages.readWithMtools(img, "config.txt"))
                .isEqualTo("arm_64bit=1\n".getBytes(StandardCharsets.UTF_8));
        assertThat(SdImages.sh("mdir -b -i " + SdImages.fat(img) + " ::/").lines())
                .containsExactlyInAnyOrder(
                        "::/user-data", "::/config.txt", "::/meta-data", "::/network-config", "::/ssh");
        // the file system is consistent (fsck.vfat -n: check only) and bytes outside it are unchanged
        Path part = dir.resolve("part.fat");
        SdImages.sh("dd if=" + img + " of=" + part + " bs=512 skip=2048 count=98304 status=none");
        SdImages.sh("fsck.vfat -n " + part);
        assertThat(SdImages.sha256(img, 0, SdImages.FAT_OFFSET)).isEqualTo(before);
        assertThat(SdImages.sha256(img, SdImages.FAT_OFFSET + SdImages.FAT_SIZE, end))
                .isEqualTo(afterPart);
        assertThat(Files.size(img)).isEqualTo(end);

        // idempotent: a second write gives the same files
        BootPartitionWriter.write(img, FILES);
        assertThat(SdImages.readWithMtools(img, "user-data"))
                .isEqualTo(FILES.get("user-data").getBytes(StandardCharsets.UTF_8));
        SdImages.sh("dd if=" + img + " of=" + part + " bs=512 skip=2048 count=98304 status=none");
        SdImages.sh("fsck.vfat -n " + part);
    }

    @Test
    void partitionTableAgreesWithSfdisk() throws Exception {
        for (Path img : List.of(SdImages.mbr(dir, "a.img"), SdImages.gpt(dir, "b.img"))) {
            JsonNode table = new ObjectMapper()
                    .readTree(SdImages.sh("sfdisk --json " + img))
                    .get("partitiontable");
            List<PartitionTable.Partition> parts;
            try (FileChannel ch = FileChannel.open(img)) {
                parts = PartitionTable.read(ch);
            }
            assertThat(parts).hasSize(table.get("partitions").size());
            for (int i = 0; i < parts.size(); i++) {
                JsonNode expected = table.get("partitions").get(i);
                assertThat(parts.get(i).offset())
                        .isEqualTo(expected.get("start").asLong() * 512);
                assertThat(parts.get(i).size()).isEqualTo(expected.get("size").asLong() * 512);
                assertThat(parts.get(i).type())
                        .isEqualToIgnoringCase(expected.get("type").asText());
            }
        }
    }

    @Test
    void anImageWithoutAFatPartitionOrTableIsRefusedUnchanged() throws Exception {
        Path noTable = dir.resolve("zeros.img");
        SdImages.sh("truncate -s 4M " + noTable);
        assertThatThrownBy(() -> BootPartitionWriter.write(noTable, FILES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(noTable + ": no partition table (no MBR boot signature 55 AA at byte 510)");

        Path noFat = dir.resolve("nofat.img");
        Files.writeString(dir.resolve("t"), "label: dos\nstart=2048, type=83\n");
        SdImages.sh("truncate -s 8M " + noFat + " && sfdisk -q " + noFat + " < " + dir.resolve("t"));
        String before = SdImages.sha256(noFat, 0, Files.size(noFat));
        assertThatThrownBy(() -> BootPartitionWriter.write(noFat, FILES))
                .hasMessage(noFat + ": none of its 1 partitions holds a FAT file system; is it a Raspberry Pi OS or"
                        + " Ubuntu Server for Raspberry Pi image?");
        assertThat(SdImages.sha256(noFat, 0, Files.size(noFat))).isEqualTo(before);

        assertThatThrownBy(() -> BootPartitionWriter.write(dir.resolve("missing.img"), FILES))
                .hasMessage(dir.resolve("missing.img") + ": no such image file");
    }
}
