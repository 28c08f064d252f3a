package dev.hangar.provider.qemu;

/**
 * Receives download progress, e.g. to draw a progress bar. Called from the downloading thread, at
 * most once per MiB received and once at the end; implementations must be quick.
 */
@FunctionalInterface
public interface DownloadProgress {
    /** Drops all updates. */
    DownloadProgress NONE = (done, total) -> {};

    /**
     * @param bytesDone bytes of the file on disk so far, including a resumed part
     * @param bytesTotal the file's full size in bytes, or -1 when the server did not say
     */
    void update(long bytesDone, long bytesTotal);
}
