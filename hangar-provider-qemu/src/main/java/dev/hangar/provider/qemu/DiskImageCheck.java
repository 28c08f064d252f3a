package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a file is a real disk image before it may enter the {@link ImageCache}: qemu-img
 * detects qcow2, or it detects raw and the file starts with a partition table or a filesystem
 * (found by its magic bytes). qemu-img calls anything it does not recognise {@code raw}, so without
 * the second check a 5-byte junk file or an HTML error page would be cached as a disk.
 *
 * <p>Stateless; thread-safe.
 */
final class DiskImageCheck {
    /** What a raw disk may start with: a name and its magic bytes at an offset. */
    private record Signature(String name, long offset, byte[] magic) {}

    private static final List<Signature> RAW_SIGNATURES = List.of(
            new Signature("GPT partition table", 512, ascii("EFI PART")),
            new Signature("GPT partition table (4 KiB sectors)", 4096, ascii("EFI PART")),
            new Signature("MBR partition table or boot sector", 510, new byte[] {0x55, (byte) 0xaa}),
            new Signature("ext2/3/4 filesystem", 1080, new byte[] {0x53, (byte) 0xef}),
            new Signature("XFS filesystem", 0, ascii("XFSB")),
            new Signature("Btrfs filesystem", 0x10040, ascii("_BHRfS_M")),
            new Signature("ISO 9660 filesystem", 0x8001, ascii("CD001")),
            new Signature("squashfs filesystem", 0, ascii("hsqs")),
            new Signature("LVM physical volume", 512, ascii("LABELONE")),
            new Signature("LUKS volume", 0, new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe}));

    /** What the error messages list as accepted. */
    static final String ACCEPTED = "a qcow2 file, a raw disk with a partition table (MBR, GPT) or filesystem"
            + " (ext2/3/4, XFS, Btrfs, FAT, ISO 9660, squashfs), or a kernel-boot directory (vmlinuz,"
            + " initrd.img, root.raw)";

    private DiskImageCheck() {}

    /**
     * @throws ProviderException (permanent) when {@code file} is neither qcow2 nor raw with a
     *     partition table or filesystem; the message names {@code origin}, what qemu-img detected
     *     and what is accepted
     */
    static void require(Path file, QemuImg.Info info, String origin) {
        if (info.format().equals("qcow2")) return;
        if (!info.format().equals("raw")) {
            throw new ProviderException(
                    "image " + origin + " has format " + info.format() + ", which is not supported; convert it with"
                            + " `qemu-img convert -O qcow2 " + origin + " disk.qcow2`",
                    true);
        }
        Optional<String> found;
        long bytes;
        try {
            found = rawSignature(file);
            bytes = java.nio.file.Files.size(file);
        } catch (IOException e) {
            throw new ProviderException("image " + origin + " is unreadable: " + e.getMessage(), true, e);
        }
        if (found.isEmpty()) {
            throw new ProviderException(
                    "image " + origin + " is not a disk image: qemu-img detects raw data (" + bytes
                            + " bytes) with no partition table or filesystem in it; expected " + ACCEPTED,
                    true);
        }
    }

    /** @return the name of the first partition table or filesystem signature found, if any */
    static Optional<String> rawSignature(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Signature s : RAW_SIGNATURES) {
                if (ch.size() < s.offset() + s.magic().length) continue;
                ByteBuffer buf = ByteBuffer.allocate(s.magic().length);
                while (buf.hasRemaining() && ch.read(buf, s.offset() + buf.position()) > 0) {}
                if (Arrays.equals(buf.array(), s.magic())) return Optional.of(s.name());
            }
        }
        return Optional.empty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
