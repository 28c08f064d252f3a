package dev.hangar.boards;

import de.waldheinz.fs.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One partition of an image file as a fat32-lib {@link BlockDevice}: offsets are relative to the
 * partition's start, and every read or write outside it is refused, so nothing outside the
 * partition can change. Closing it does not close the channel. Not thread-safe.
 */
final class PartitionBlockDevice implements BlockDevice {
    private final FileChannel image;
    private final long offset;
    private final long size;
    private boolean closed;

    PartitionBlockDevice(FileChannel image, long offset, long size) {
        this.image = image;
        this.offset = offset;
        this.size = size;
    }

    @Override
    public long getSize() {
        return size;
    }

    @Override
    public void read(long devOffset, ByteBuffer dest) throws IOException {
        check(devOffset, dest.remaining());
        long at = offset + devOffset;
        while (dest.hasRemaining()) {
            int n = image.read(dest, at);
            if (n < 0) throw new IOException("the image ends inside its FAT partition (at byte " + at + ")");
            at += n;
        }
    }

    @Override
    public void write(long devOffset, ByteBuffer src) throws IOException {
        check(devOffset, src.remaining());
        long at = offset + devOffset;
        while (src.hasRemaining()) at += image.write(src, at);
    }

    private void check(long devOffset, int length) throws IOException {
        if (closed) throw new IOException("device closed");
        if (devOffset < 0 || devOffset + length > size) {
            throw new IllegalArgumentException(
                    "access to bytes " + devOffset + ".." + (devOffset + length) + " outside the partition of " + size);
        }
    }

    @Override
    public void flush() throws IOException {
        image.force(false);
    }

    @Override
    public int getSectorSize() {
        return PartitionTable.SECTOR;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }
}
