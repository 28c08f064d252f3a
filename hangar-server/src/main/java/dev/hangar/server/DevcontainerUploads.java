package dev.hangar.server;

import dev.hangar.core.domain.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Folders the CLI uploads for {@code hangar create --devcontainer DIR} (DIR on the CLI's machine):
 * a tar archive unpacked into a new folder of the server's own, {@code
 * $HANGAR_HOME/devcontainer-uploads/<user>/<random>/<name>}, whose path the create request then
 * names like a folder on the server host. Each upload gets a folder of its own, so a workspace's
 * folder is never shared or overwritten.
 *
 * <p>What an archive may hold (else 422 naming {@code archive}, and nothing is left): regular
 * files, directories and symbolic links whose target stays inside the folder (relative); no
 * absolute names, no {@code ..} leaving the folder, no hard links, devices or FIFOs, no entry
 * twice; at most {@value #MAX_ENTRIES} entries and {@value #MAX_UNPACKED_BYTES} bytes unpacked
 * (the archive itself is limited by the caller, {@link DevcontainerUploadRoutes}); and a {@code
 * .devcontainer/devcontainer.json} or {@code .devcontainer.json} at the top. Modes: directories
 * 0755, files 0644, or 0755 when the archive marks them executable by their owner (feature
 * scripts); owners are the server's user.
 *
 * <p>Uploads that no workspace names any more are removed by {@link #sweep} (the routes call it
 * before each upload). Thread-safe: every upload writes only its own new folder.
 */
final class DevcontainerUploads {
    static final int MAX_ENTRIES = 20_000;
    static final long MAX_UNPACKED_BYTES = 512L << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path root;
    private final long maxUnpackedBytes;

    /** @param root the folder of all uploads, {@code $HANGAR_HOME/devcontainer-uploads} */
    DevcontainerUploads(Path root) {
        this(root, MAX_UNPACKED_BYTES);
    }

    /** @param maxUnpackedBytes the most file content one upload may unpack to (tests lower it) */
    DevcontainerUploads(Path root, long maxUnpackedBytes) {
        this.root = root;
        this.maxUnpackedBytes = maxUnpackedBytes;
    }

    /** @return the folder of all uploads */
    Path root() {
        return root;
    }

    /**
     * Unpacks {@code tar} into a new folder {@code root/<user>/<random>/<name>}.
     *
     * @param name the folder's base name (what the container sees as {@code /workspaces/<name>})
     * @return the new folder's absolute path
     * @throws ValidationException (field {@code name} or {@code archive}) for a bad name or archive;
     *     the partly unpacked folder is removed then
     */
    Path unpack(InputStream tar, String user, String name) {
        if (!NAME.matcher(name).matches())
            throw new ValidationException(
                    "name", "folder name '" + name + "' must be 1-64 of A-Z a-z 0-9 . _ - (not starting with . _ -)");
        Path upload = root.resolve(user).resolve(UUID.randomUUID().toString());
        Path dir = upload.resolve(name);
        try {
            Files.createDirectories(dir);
            unpackInto(tar, dir.toRealPath(), maxUnpackedBytes);
            if (!Files.isRegularFile(dir.resolve(".devcontainer/devcontainer.json"), LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(dir.resolve(".devcontainer.json"), LinkOption.NOFOLLOW_LINKS))
                throw refused("the archive has no .devcontainer/devcontainer.json or .devcontainer.json at its top");
            return dir.toAbsolutePath();
        } catch (IOException e) {
            deleteTree(upload);
            throw refused("cannot unpack the archive: " + e.getMessage());
        } catch (RuntimeException e) {
            deleteTree(upload);
            throw e;
        }
    }

    private static void unpackInto(InputStream in, Path dir, long maxUnpacked) throws IOException {
        long total = 0;
        int entries = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) throw refused("more than " + MAX_ENTRIES + " entries");
                String raw = e.getName();
                Path rel = Path.of(raw).normalize();
                if (Path.of(raw).isAbsolute() || rel.startsWith("..") || raw.contains("\0"))
                    throw refused("entry '" + raw + "' leaves the folder");
                if (rel.toString().isEmpty()) continue; // "./" itself
                Path target = dir.resolve(rel);
                // a parent may be a symbolic link unpacked before: it must still lead inside
                Files.createDirectories(target.getParent());
                if (!target.getParent().toRealPath().startsWith(dir))
                    throw refused("entry '" + raw + "' leads out of the folder through a symbolic link");
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !(e.isDirectory() && Files.isDirectory(target)))
                    throw refused("entry '" + raw + "' appears twice");
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (e.isSymbolicLink()) {
                    Path link = Path.of(e.getLinkName());
                    if (link.isAbsolute()
                            || !target.getParent().resolve(link).normalize().startsWith(dir))
                        throw refused("symbolic link '" + raw + "' -> '" + e.getLinkName()
                                + "' points outside the folder (only relative links inside it are kept)");
                    Files.createSymbolicLink(target, link);
                } else if (e.isLink() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    // before isFile(): commons-compress calls every non-directory entry a file
                    throw refused("entry '" + raw + "' is a " + (e.isLink() ? "hard link" : "device or FIFO")
                            + "; only files, folders and symbolic links are taken");
                } else if (e.isFile()) {
                    long copied = copyAtMost(tar, target, maxUnpacked - total, maxUnpacked);
                    total += copied;
                    Files.setPosixFilePermissions(
                            target,
                            PosixFilePermissions.fromString((e.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
                    Files.setLastModifiedTime(
                            target, FileTime.from(e.getLastModifiedTime().toInstant()));
                } else {
                    throw refused("entry '" + raw + "' is not a file, folder or symbolic link");
                }
            }
        }
    }

    /** Copies the current entry to a new file, refusing past {@code room} bytes. @return bytes copied */
    private static long copyAtMost(InputStream entry, Path target, long room, long max) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long copied = 0;
        try (OutputStream out =
                Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = entry.read(buf)) > 0) {
                copied += n;
                if (copied > room) throw refused("more than " + max + " bytes unpacked");
                out.write(buf, 0, n);
            }
        }
        return copied;
    }

    /**
     * Removes upload folders older than {@code before} that no workspace names any more.
     *
     * @param inUse the devcontainer folders of existing workspaces
     * @return how many uploads were removed
     */
    int sweep(Set<String> inUse, Instant before) {
        if (!Files.isDirectory(root)) return 0;
        int removed = 0;
        try (Stream<Path> users = Files.list(root)) {
            for (Path user : users.toList()) {
                try (Stream<Path> uploads = Files.list(user)) {
                    for (Path upload : uploads.toList()) {
                        if (Files.getLastModifiedTime(upload).toInstant().isAfter(before)) continue;
                        boolean used;
                        try (Stream<Path> names = Files.list(upload)) {
                            used = names.anyMatch(
                                    n -> inUse.contains(n.toAbsolutePath().toString()));
                        }
                        if (!used) {
                            deleteTree(upload);
                            removed++;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sweep " + root, e);
        }
        return removed;
    }

    private static ValidationException refused(String why) {
        return new ValidationException("archive", "devcontainer archive refused: " + why);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
