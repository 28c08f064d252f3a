package dev.hangar.boards;

import de.waldheinz.fs.FsDirectory;
import de.waldheinz.fs.FsFile;
import de.waldheinz.fs.fat.FatFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes files into the root directory of the boot partition of a raw SD-card image, in place,
 * without root, loop devices or mounting: the partition table is read ({@link PartitionTable}), the
 * first partition holding a FAT file system is the boot partition (Raspberry Pi OS's {@code bootfs},
 * Ubuntu's {@code system-boot}), and fat32-lib writes the files into it. Existing files of the same
 * name are replaced. No byte outside that partition is written. Not safe to run twice on the same
 * image at the same time.
 */
public final class BootPartitionWriter {
    private BootPartitionWriter() {}

    /**
     * @param image the raw image file (e.g. {@code 2025-05-13-raspios-bookworm-arm64-lite.img})
     * @param files file name to content (UTF-8), written to the partition's root directory in order
     * @return the partition that was written
     * @throws IllegalArgumentException if the image does not exist, has no partition table, or none
     *     of its partitions holds a FAT file system
     * @throws IOException if reading or writing fails, or the FAT file system is damaged or full
     */
    public static PartitionTable.Partition write(Path image, Map<String, String> files) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            PartitionTable.Partition boot = bootPartition(ch, image);
            PartitionBlockDevice dev = new PartitionBlockDevice(ch, boot.offset(), boot.size());
            FatFileSystem fs = FatFileSystem.read(dev, false);
            FsDirectory root = fs.getRoot();
            for (Map.Entry<String, String> f : files.entrySet()) {
                if (root.getEntry(f.getKey()) != null) root.remove(f.getKey());
                FsFile file = root.addFile(f.getKey()).getFile();
                byte[] bytes = f.getValue().getBytes(StandardCharsets.UTF_8);
                file.setLength(bytes.length);
                file.write(0, ByteBuffer.wrap(bytes));
                file.flush();
            }
            root.flush();
            fs.close(); // flushes the FAT and the FS info sector, then closes the device
            ch.force(true);
            return boot;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(image + ": no such image file");
        }
    }

    /** @return the first partition, in table order, whose first sector is a FAT boot sector */
    private static PartitionTable.Partition bootPartition(FileChannel ch, Path image) throws IOException {
        List<PartitionTable.Partition> parts;
        try {
            parts = PartitionTable.read(ch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(image + ": " + e.getMessage());
        }
        for (PartitionTable.Partition p : parts) {
            if (PartitionTable.isFat(ch, p)) return p;
        }
        throw new IllegalArgumentException(
                image + ": none of its " + parts.size()
                        + " partitions holds a FAT file system; is it a Raspberry Pi OS or Ubuntu Server for Raspberry Pi image?");
    }
}
