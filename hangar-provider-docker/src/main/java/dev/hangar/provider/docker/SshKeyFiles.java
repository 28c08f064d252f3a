package dev.hangar.provider.docker;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The per-workspace directories of SSH files under the provider's data dir ({@code
 * <dataDir>/workspaces/<id>}, mode 0700; files 0600), mounted read-only into the container.
 *
 * <p>The container runs as {@code run-as-user}, so the directory and files are owned by that uid
 * (this needs the server to run as root, or as that uid). Idempotent; thread-safe for different
 * workspace ids.
 */
final class SshKeyFiles {
    private final Path root;
    private final long uid;

    SshKeyFiles(Path dataDir, long uid) {
        this.root = dataDir.resolve("workspaces");
        this.uid = uid;
    }

    /** @return the directory of workspace {@code id} (which may not exist) */
    Path directory(String id) {
        return root.resolve(id);
    }

    /**
     * Writes the files of {@link ContainerManifests#sshFiles} when missing or different.
     *
     * @return the directory
     * @throws ProviderException (permanent) when the files cannot be written or given to run-as-user
     */
    Path write(WorkspaceSpec spec) {
        Path dir = directory(spec.id());
        try {
            Files.createDirectories(root);
            try {
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            for (Map.Entry<String, String> f : ContainerManifests.sshFiles(spec).entrySet()) {
                Path file = dir.resolve(f.getKey());
                byte[] want = f.getValue().getBytes(StandardCharsets.UTF_8);
                if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), want)) {
                    Path tmp = dir.resolve("." + f.getKey() + ".tmp");
                    Files.deleteIfExists(tmp);
                    Files.createFile(
                            tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.write(tmp, want);
                    own(tmp);
                    Files.move(
                            tmp,
                            file,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
            own(dir);
            return dir;
        } catch (IOException | UnsupportedOperationException e) {
            throw new ProviderException(
                    "cannot write the SSH files of workspace " + spec.name() + " to " + dir + ": " + e
                            + " (the server must run as root or as providers.docker.run-as-user=" + uid + ")",
                    true,
                    e);
        }
    }

    private void own(Path p) throws IOException {
        if (((Number) Files.getAttribute(p, "unix:uid")).longValue() == uid) return;
        Files.setAttribute(p, "unix:uid", (int) uid);
        Files.setAttribute(p, "unix:gid", (int) uid);
    }

    /** @return whether the directory of {@code id} exists */
    boolean exists(String id) {
        return Files.exists(directory(id));
    }

    /** Removes the directory of {@code id} and its files; idempotent. */
    void delete(String id) {
        Path dir = directory(id);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            throw new ProviderException("cannot remove " + dir + ": " + e.getMessage(), false, e);
        }
    }
}
