package dev.hangar.boards;

import dev.hangar.testfixtures.HostCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Raw SD-card images made the way MACHINE.md shows, with real tools and without root: {@code
 * truncate}, {@code sfdisk} (MBR or GPT), {@code mkfs.vfat} at the partition's offset; mtools to
 * look inside. Layout of every image: partition 1 FAT32 from sector 2048 (1 MiB) for 98304 sectors
 * (48 MiB), partition 2 ("root") after it, filled with random bytes so that a stray write shows.
 */
final class SdImages {
    /** Byte offset of the FAT partition. */
    static final long FAT_OFFSET = 2048L * 512;
    /** Length of the FAT partition in bytes. */
    static final long FAT_SIZE = 98304L * 512;

    private SdImages() {}

    /** @return a 64 MiB image with an MBR table (types 0c and 83), like Raspberry Pi OS's */
    static Path mbr(Path dir, String name) throws Exception {
        return make(dir, name, "label: dos\nstart=2048, size=98304, type=c\nstart=100352, type=83\n");
    }

    /** @return a 64 MiB image with a GPT (EFI system partition first, then Linux data) */
    static Path gpt(Path dir, String name) throws Exception {
        return make(
                dir,
                name,
                "label: gpt\nstart=2048, size=98304, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
                        + "start=100352, size=28672, type=0FC63DAF-8483-4772-8E3D-693D4728E47D\n");
    }

    private static Path make(Path dir, String name, String table) throws Exception {
        Path img = dir.resolve(name);
        Path script = dir.resolve(name + ".sfdisk");
        Files.writeString(script, table);
        sh("truncate -s 64M " + img);
        sh("sfdisk -q " + img + " < " + script);
        // the root partition: random bytes, so that any write there changes its checksum
        byte[] junk = new byte[1 << 20];
        new Random(name.hashCode()).nextBytes(junk);
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(junk), 100352L * 512);
        }
        sh("mkfs.vfat -F 32 -n BOOTFS --offset 2048 " + img + " 49152");
        return img;
    }

    /** @return the mtools image spec of the FAT partition, {@code IMG@@OFFSET} */
    static String fat(Path img) {
        return img + "@@" + FAT_OFFSET;
    }

    /** @return the bytes of {@code name} in the FAT partition's root, read by mtools' mcopy */
    static byte[] readWithMtools(Path img, String name) throws Exception {
        Path out = Files.createTempFile(img.getParent(), "mcopy-", ".out");
        sh("mcopy -n -o -i " + fat(img) + " ::" + name + " " + out);
        return Files.readAllBytes(out);
    }

    /** Puts {@code content} into the FAT root as {@code name} with mtools (an image's own file). */
    static void putWithMtools(Path img, String name, String content) throws Exception {
        Path in = img.resolveSibling(name + ".src");
        Files.writeString(in, content, StandardCharsets.UTF_8);
        sh("mcopy -o -i " + fat(img) + " " + in + " ::" + name);
    }

    /** @return SHA-256 of bytes [from, to) of the image */
    static String sha256(Path img, long from, long to) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(img)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            var buf = java.nio.ByteBuffer.allocate(1 << 16);
            long pos = from;
            while (pos < to) {
                buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
                int n = ch.read(buf, pos);
                if (n <= 0) break;
                md.update(buf.flip());
                pos += n;
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a shell command line, failing the test with its output when it fails. */
    static String sh(String commandLine) throws Exception {
        return HostCommands.run(List.of("bash", "-c", commandLine))
                .orThrow(commandLine)
                .output();
    }
}
