package dev.hangar.cli;

import dev.hangar.nocloud.NoCloudFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes NoCloud seed files into a directory (created if missing), each atomically (a temporary
 * file renamed over it). {@code network-config} may hold a Wi-Fi passphrase, so it gets mode 0600;
 * the others 0644. Idempotent: writing the same files again gives the same directory.
 */
final class SeedDirectory {
    private SeedDirectory() {}

    /**
     * @return the files written, in order
     * @throws IOException if the directory or a file cannot be written
     */
    static List<Path> write(Path dir, NoCloudFiles files) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, String> f : files.byName().entrySet()) {
            Path target = dir.resolve(f.getKey());
            String mode = f.getKey().equals(NoCloudFiles.NETWORK_CONFIG) ? "rw-------" : "rw-r--r--";
            Path tmp = Files.createTempFile(
                    dir,
                    "." + f.getKey(),
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            try {
                Files.writeString(tmp, f.getValue(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            written.add(target);
        }
        return written;
    }
}
