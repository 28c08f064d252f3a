package dev.hangar.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A local folder as the tar archive {@code hangar create --devcontainer DIR} uploads: names
 * relative to the folder, files with their executable bit, folders, and symbolic links as links
 * (never followed; the server keeps only those that stay inside the folder). At most {@value
 * #MAX_BYTES} bytes of file content (the server takes 256 MiB of archive); sockets, FIFOs and
 * devices are refused with their path. Pure: reads the folder, writes nothing.
 */
final class DevcontainerArchive {
    static final long MAX_BYTES = 200L << 20;

    private DevcontainerArchive() {}

    /**
     * @return the folder's content as a tar archive
     * @throws CliException (bad input) when the folder is missing, has no devcontainer.json, holds
     *     special files or is too large
     */
    static byte[] of(Path dir) {
        if (!Files.isDirectory(dir))
            throw new CliException(
                    ExitCodes.BAD_INPUT,
                    "--devcontainer " + dir + " is not a folder on this machine (a folder on the server host is"
                            + " named as server:/PATH)");
        if (!Files.isRegularFile(dir.resolve(".devcontainer/devcontainer.json"))
                && !Files.isRegularFile(dir.resolve(".devcontainer.json")))
            throw new CliException(
                    ExitCodes.BAD_INPUT,
                    "--devcontainer " + dir + " has no .devcontainer/devcontainer.json or .devcontainer.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long total = 0;
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
                Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> paths = walk.sorted().toList();
            for (Path p : paths) {
                if (p.equals(dir)) continue;
                String name = dir.relativize(p).toString().replace('\\', '/');
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                TarArchiveEntry e;
                if (a.isSymbolicLink()) {
                    e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                } else if (a.isDirectory()) {
                    e = new TarArchiveEntry(name + "/");
                } else if (a.isRegularFile()) {
                    total += a.size();
                    if (total > MAX_BYTES)
                        throw new CliException(
                                ExitCodes.BAD_INPUT,
                                "--devcontainer " + dir + " holds more than " + (MAX_BYTES >> 20) + " MiB; leave"
                                        + " build outputs and dependencies out, or name a folder on the server host"
                                        + " (server:/PATH)");
                    e = new TarArchiveEntry(name);
                    e.setSize(a.size());
                    boolean exec = a.permissions().contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
                    e.setMode(exec ? 0100755 : 0100644);
                } else {
                    throw new CliException(
                            ExitCodes.BAD_INPUT,
                            "--devcontainer " + dir + ": " + p + " is neither a file, a folder nor a symbolic link");
                }
                e.setModTime(a.lastModifiedTime());
                tar.putArchiveEntry(e);
                if (a.isRegularFile()) Files.copy(p, tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot read --devcontainer " + dir + ": " + e.getMessage());
        }
        return bytes.toByteArray();
    }
}
