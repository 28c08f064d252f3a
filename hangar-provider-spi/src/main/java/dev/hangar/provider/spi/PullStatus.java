package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * The progress of an image download, or why it failed.
 *
 * @param bytesDone bytes received so far (including a resumed part); 0 before the first byte
 * @param bytesTotal the file's full size in bytes, {@code -1} when the server did not say
 * @param error why the pull failed, naming the cause (host, URL, status, checksums) and the
 *     offline remedy; empty while running or when it did not fail
 */
public record PullStatus(long bytesDone, long bytesTotal, String error) {
    /** No pull ran (or its record was dropped). */
    public static final PullStatus NONE = new PullStatus(0, -1, "");

    public PullStatus {
        Objects.requireNonNull(error, "error");
    }
}
