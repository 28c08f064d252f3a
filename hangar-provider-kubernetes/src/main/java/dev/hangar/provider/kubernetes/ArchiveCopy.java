package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an archive into a loader Pod's file (docs/adr/0015), by one of two transports:
 *
 * <ol>
 *   <li><b>Port-forward</b> (the default): the {@code serve} exec starts {@link
 *       ImageLoaderManifests#RECEIVER} in the Pod, and {@link LoaderPortForward} streams the file to
 *       it in one connection; a connection that broke or came up short is resumed from the size the
 *       Pod's copy has, up to {@link #ATTEMPTS} times.
 *   <li><b>Exec chunks</b>: {@link #CHUNK_BYTES} per exec, base64-encoded in the command ({@link
 *       LoaderExec}), each cut back to its offset first so a chunk sent twice does no harm, each
 *       retried up to {@link #ATTEMPTS} times. About 0.8 MiB/s; used when the port-forward path
 *       cannot start (no {@code perl} in the loader image, no {@code pods/portforward} permission)
 *       or fails, resuming at what the Pod has, and said so in the progress message.
 * </ol>
 *
 * Either way the caller checks the copy's SHA-256 afterwards. Thread-safe (stateless per call).
 */
final class ArchiveCopy {
    /**
     * Archive bytes per exec of the fallback: base64-encoded (120 KiB) they stay below Linux's 128 KiB
     * limit of one command argument ({@code MAX_ARG_STRLEN}).
     */
    static final int CHUNK_BYTES = 90 << 10;

    static final int ATTEMPTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveCopy.class);

    /** Receives the bytes copied so far and, when the transport changes, why. */
    interface Progress {
        void uploading(long done, String message);
    }

    private final LoaderExec exec;
    private final LoaderPortForward forward;
    private final int chunkBytes;
    private final boolean portForward;

    /**
     * @param portForward false to copy through exec chunks only (the benchmark's baseline)
     */
    ArchiveCopy(LoaderExec exec, LoaderPortForward forward, int chunkBytes, boolean portForward) {
        this.exec = exec;
        this.forward = forward;
        this.chunkBytes = chunkBytes;
        this.portForward = portForward;
    }

    /**
     * Copies {@code archive} ({@code size} bytes) into {@code pod}'s file.
     *
     * @throws ProviderException when neither transport got the whole file across
     */
    void copy(String pod, String node, Path archive, long size, Progress progress) {
        progress.uploading(0, "");
        long at = 0;
        if (portForward) {
            String why;
            LoaderExec.Result serve =
                    exec.run(pod, "serve", List.of(ImageLoaderManifests.RECEIVER), Duration.ofMinutes(1));
            if (serve.ok()) {
                why = "";
                for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                    try {
                        long got = forward.send(pod, archive, at, size - at, done -> progress.uploading(done, ""));
                        if (got == size) return;
                        why = "the Pod's copy has " + got + " of " + size + " bytes";
                        at = got < size ? got : 0;
                    } catch (ProviderException e) {
                        why = e.getMessage();
                        at = Math.min(podSize(pod), size);
                    }
                    LOG.info(
                            "node {}: port-forward copy stopped at byte {} (attempt {} of {}): {}",
                            node,
                            at,
                            attempt,
                            ATTEMPTS,
                            why);
                }
            } else {
                why = serve.exitCode() == 13
                        ? "the loader image has no perl for the receiver"
                        : "the receiver did not start (exit " + serve.exitCode() + ": "
                                + serve.output().strip() + ")";
            }
            String message = "the port-forward copy failed (" + why + "); copying through exec instead (slow, about"
                    + " 0.8 MiB/s)";
            LOG.warn("node {}: {}", node, message);
            progress.uploading(at, message);
        }
        chunks(pod, node, archive, at, size, progress);
    }

    /** @return the size of the Pod's copy, 0 when it cannot be read */
    private long podSize(String pod) {
        try {
            LoaderExec.Result r = exec.run(pod, "size", List.of(), Duration.ofMinutes(1));
            return r.ok() ? Long.parseLong(r.output().strip()) : 0;
        } catch (ProviderException | NumberFormatException e) {
            return 0;
        }
    }

    private void chunks(String pod, String node, Path archive, long from, long size, Progress progress) {
        try (FileChannel file = FileChannel.open(archive, StandardOpenOption.READ)) {
            long offset = from;
            while (offset < size) {
                int length = (int) Math.min(chunkBytes, size - offset);
                ByteBuffer chunk = ByteBuffer.allocate(length);
                while (chunk.hasRemaining()) {
                    if (file.read(chunk, offset + chunk.position()) < 0)
                        throw new ProviderException(archive + " ended at byte " + offset + " while copying it", false);
                }
                appendChunk(pod, node, offset, chunk.array());
                offset += length;
                progress.uploading(offset, "");
            }
        } catch (IOException e) {
            throw new ProviderException("reading " + archive + " failed: " + e.getMessage(), false, e);
        }
    }

    private void appendChunk(String pod, String node, long offset, byte[] bytes) {
        String why = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                LoaderExec.Result r = exec.run(
                        pod,
                        "append",
                        List.of(Long.toString(offset), Base64.getEncoder().encodeToString(bytes)),
                        Duration.ofMinutes(2));
                if (r.ok() && r.output().strip().equals(Long.toString(offset + bytes.length))) return;
                why = "exit " + r.exitCode() + ": " + r.output().strip();
            } catch (ProviderException e) {
                if (e.permanent()) throw e;
                why = e.getMessage();
            }
            LOG.info("node {}: chunk at {} failed (attempt {} of {}): {}", node, offset, attempt, ATTEMPTS, why);
        }
        throw new ProviderException(
                "copying the archive to node " + node + " failed at byte " + offset + " after " + ATTEMPTS
                        + " attempts: " + why,
                false);
    }
}
