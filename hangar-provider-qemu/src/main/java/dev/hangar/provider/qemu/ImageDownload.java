package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.vm.CatalogImage;
import dev.hangar.provider.vm.Checksum;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Fetches one catalog image over HTTP(S) into the cache's {@code .downloads/} directory: resumes an
 * interrupted download with a range request (RFC 9110 section 14), reports progress, and verifies
 * the checksum (inline or from a published checksum file). What the file holds is checked later by
 * the {@link ImageCache}.
 *
 * <p>Thread-safe; callers serialise fetches of one image (the cache locks per name).
 */
final class ImageDownload {
    private static final int CHUNK = 1 << 20;

    private final Path downloads;
    private final HttpClient http;

    ImageDownload(Path downloads, HttpClient http) {
        this.downloads = downloads;
        this.http = http;
    }

    /**
     * Downloads the image of {@code entry} into {@code <downloads>/<name>.<digest>.part}, resuming a
     * partial file with a range request, and verifies its checksum.
     *
     * @return the verified file; the caller moves it away (or deletes it)
     * @throws ProviderException (permanent) on a checksum mismatch (the file is deleted) or a
     *     checksum file that lists no digest for the image
     * @throws IOException on network errors and unexpected HTTP statuses ({@link
     *     DownloadFailure.HttpStatusException}); the partial file is kept for the next call
     */
    Path fetch(CatalogImage entry, DownloadProgress progress) throws IOException, InterruptedException {
        Checksum expected = expectedChecksum(entry);
        Files.createDirectories(downloads);
        // The digest is part of the name, so a catalog update never resumes into a stale file.
        Path part = downloads.resolve(
                entry.name() + "." + expected.algorithm() + "-" + expected.hex().substring(0, 12) + ".part");
        MessageDigest digest = digest(expected);
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(entry.url())
                .timeout(Duration.ofMinutes(2))
                .GET();
        if (have > 0) request.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 416 && have > 0) {
                // Range not satisfiable: the part already holds the whole file; verify it as it is.
                hashFile(part, digest);
                progress.update(have, have);
            } else if (status == 200 || status == 206) {
                boolean resume = status == 206 && have > 0;
                if (resume) {
                    hashFile(part, digest);
                } else {
                    have = 0;
                }
                long length =
                        response.headers().firstValueAsLong("Content-Length").orElse(-1L);
                long total = length < 0 ? -1 : have + length;
                receive(body, part, resume, digest, have, total, progress);
            } else {
                throw new DownloadFailure.HttpStatusException(status, entry.url());
            }
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expected.hex())) {
            Files.deleteIfExists(part);
            throw new ProviderException(
                    "checksum mismatch for image " + entry.name() + " from " + entry.url() + ": expected "
                            + expected + ", got " + expected.algorithm() + ":" + actual
                            + "; the download was deleted (if upstream changed the file, update the image catalog); "
                            + DownloadFailure.offlineRemedy(entry.name()),
                    true);
        }
        return part;
    }

    private static void receive(
            InputStream body,
            Path part,
            boolean append,
            MessageDigest digest,
            long have,
            long total,
            DownloadProgress progress)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(
                part,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[CHUNK];
            long done = have;
            long reported = done;
            int n;
            while ((n = body.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                done += n;
                if (done - reported >= CHUNK) {
                    progress.update(done, total);
                    reported = done;
                }
            }
            progress.update(done, total);
        }
    }

    private Checksum expectedChecksum(CatalogImage entry) throws IOException, InterruptedException {
        return switch (entry.checksum()) {
            case CatalogImage.ChecksumSource.Inline inline -> inline.checksum();
            case CatalogImage.ChecksumSource.Published published -> {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(published.url())
                                .timeout(Duration.ofMinutes(1))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new DownloadFailure.HttpStatusException(r.statusCode(), published.url());
                }
                yield ChecksumFile.find(r.body(), entry.fileName(), published.algorithm())
                        .orElseThrow(() -> new ProviderException(
                                "checksum file " + published.url() + " lists no " + published.algorithm()
                                        + " digest for " + entry.fileName() + "; fix the image catalog entry "
                                        + entry.name(),
                                true));
            }
        };
    }

    private static void hashFile(Path file, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[CHUNK];
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
        }
    }

    private static MessageDigest digest(Checksum checksum) {
        try {
            return MessageDigest.getInstance(checksum.jcaName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
