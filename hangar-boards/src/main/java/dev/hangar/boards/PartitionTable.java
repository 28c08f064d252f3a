package dev.hangar.boards;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the partition table of a raw disk image with 512-byte sectors, as SD-card images are: MBR
 * (the four primary entries) or GPT (UEFI specification, chapter 5; recognised by the protective
 * MBR entry of type {@code 0xEE}). Reads only; thread-safe (stateless).
 */
public final class PartitionTable {
    /** Logical sector size of image files. */
    public static final int SECTOR = 512;

    private PartitionTable() {}

    /**
     * One partition.
     *
     * @param number its number as {@code sfdisk} and the kernel count it, from 1
     * @param offset its first byte in the image
     * @param size its length in bytes
     * @param type the MBR type byte in hex as sfdisk prints it (e.g. {@code c}) or the GPT type GUID (lower case)
     */
    public record Partition(int number, long offset, long size, String type) {}

    /**
     * @return the partitions in table order (empty entries left out)
     * @throws IllegalArgumentException if the image has no MBR signature, or a GPT whose header is
     *     damaged
     * @throws IOException if the image cannot be read
     */
    public static List<Partition> read(FileChannel image) throws IOException {
        ByteBuffer mbr = readAt(image, 0, SECTOR);
        if ((mbr.get(510) & 0xff) != 0x55 || (mbr.get(511) & 0xff) != 0xaa) {
            throw new IllegalArgumentException("no partition table (no MBR boot signature 55 AA at byte 510)");
        }
        List<Partition> parts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int e = 446 + 16 * i;
            int type = mbr.get(e + 4) & 0xff;
            if (type == 0xee) return gpt(image);
            long start = Integer.toUnsignedLong(mbr.getInt(e + 8));
            long sectors = Integer.toUnsignedLong(mbr.getInt(e + 12));
            if (type != 0 && sectors != 0) {
                parts.add(new Partition(i + 1, start * SECTOR, sectors * SECTOR, Integer.toHexString(type)));
            }
        }
        return parts;
    }

    private static List<Partition> gpt(FileChannel image) throws IOException {
        ByteBuffer header = readAt(image, SECTOR, 92);
        byte[] signature = new byte[8];
        header.get(0, signature);
        if (!new String(signature, StandardCharsets.US_ASCII).equals("EFI PART")) {
            throw new IllegalArgumentException("protective MBR but no GPT header ('EFI PART') in sector 1");
        }
        long entriesLba = header.getLong(72);
        int count = header.getInt(80);
        int entrySize = header.getInt(84);
        if (count < 0 || count > 1024 || entrySize < 128 || entrySize > 4096) {
            throw new IllegalArgumentException(
                    "GPT header is damaged (" + count + " entries of " + entrySize + " bytes)");
        }
        ByteBuffer entries = readAt(image, entriesLba * SECTOR, count * entrySize);
        List<Partition> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int e = i * entrySize;
            String type = guid(entries, e);
            if (type.equals("00000000-0000-0000-0000-000000000000")) continue;
            long first = entries.getLong(e + 32);
            long last = entries.getLong(e + 40);
            parts.add(new Partition(i + 1, first * SECTOR, (last - first + 1) * SECTOR, type));
        }
        return parts;
    }

    /** A GUID as stored on disk: the first three fields little-endian, the rest as bytes. */
    private static String guid(ByteBuffer b, int at) {
        return String.format(
                Locale.ROOT,
                "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b.getInt(at),
                b.getShort(at + 4),
                b.getShort(at + 6),
                b.get(at + 8),
                b.get(at + 9),
                b.get(at + 10),
                b.get(at + 11),
                b.get(at + 12),
                b.get(at + 13),
                b.get(at + 14),
                b.get(at + 15));
    }

    /**
     * @return whether the partition's first sector is a FAT boot sector (the 55 AA signature and the
     *     file system type field {@code FAT12}/{@code FAT16} at byte 54 or {@code FAT32} at byte 82)
     */
    static boolean isFat(FileChannel image, Partition p) throws IOException {
        if (p.size() < SECTOR || p.offset() + SECTOR > image.size()) return false;
        ByteBuffer boot = readAt(image, p.offset(), SECTOR);
        if ((boot.get(510) & 0xff) != 0x55 || (boot.get(511) & 0xff) != 0xaa) return false;
        return ascii(boot, 54, 5).startsWith("FAT1") || ascii(boot, 82, 5).equals("FAT32");
    }

    private static String ascii(ByteBuffer b, int at, int len) {
        byte[] bytes = new byte[len];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static ByteBuffer readAt(FileChannel image, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (image.read(b, position + b.position()) < 0) {
                throw new IllegalArgumentException("the image ends at byte " + image.size()
                        + ", inside its partition table; is it a whole disk image (not one partition)?");
            }
        }
        return b.flip();
    }
}
