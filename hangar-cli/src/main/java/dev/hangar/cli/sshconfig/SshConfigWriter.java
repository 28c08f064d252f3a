package dev.hangar.cli.sshconfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code hangar config-ssh}: keeps a user's OpenSSH client configured for Hangar.
 *
 * <ul>
 *   <li>~/.ssh/hangar/config and ~/.ssh/hangar/known_hosts are owned by Hangar and rewritten whole
 *       ({@link SshConfigFiles#config}, {@link SshConfigFiles#knownHosts}).
 *   <li>~/.ssh/config gets one {@code Include} line above its first {@code Host}/{@code Match} line
 *       (created with mode 0600 if absent); no other line of it is touched, and it is not written
 *       again once the line is there. A symlinked ~/.ssh/config is written through to its target.
 * </ul>
 *
 * Writes are atomic (a temp file in the same directory, fsync, then {@code ATOMIC_MOVE}), so a
 * crash leaves each file old or new, never torn; files are written only when their content changes,
 * so running twice changes nothing. New files get mode 0600 and new directories 0700 (ssh refuses
 * group/world-writable config files); existing files keep their mode.
 *
 * <p>Not safe against another process editing the same files concurrently (like any editor).
 */
public final class SshConfigWriter {
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path home;

    /** @param home the home directory holding {@code .ssh} (tests pass a temporary directory) */
    public SshConfigWriter(Path home) {
        this.home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
    }

    /** @return a writer for the home directory of the user running this JVM ({@code user.home}) */
    public static SshConfigWriter forCurrentUser() {
        return new SshConfigWriter(Path.of(System.getProperty("user.home")));
    }

    /** @return ~/.ssh/hangar/config */
    public Path hangarConfig() {
        return home.resolve(".ssh").resolve("hangar").resolve("config");
    }

    /** @return ~/.ssh/hangar/known_hosts */
    public Path knownHosts() {
        return home.resolve(".ssh").resolve("hangar").resolve("known_hosts");
    }

    /** @return ~/.ssh/config */
    public Path userConfig() {
        return home.resolve(".ssh").resolve("config");
    }

    /**
     * Computes what {@link #apply} would write, without writing (the dry run: print {@link
     * SshConfigPlan#diff()}).
     *
     * @throws UncheckedIOException when a file cannot be read (the message names it)
     */
    public SshConfigPlan plan(SshConfigInput input) {
        Objects.requireNonNull(input, "input");
        Path userConfig = realTarget(userConfig());
        String userBefore = read(userConfig);
        return new SshConfigPlan(List.of(
                change(knownHosts(), SshConfigFiles.knownHosts(input)),
                change(hangarConfig(), SshConfigFiles.config(input, knownHosts())),
                new FileChange(
                        userConfig,
                        Files.exists(userConfig),
                        userBefore,
                        SshConfigFiles.withInclude(userBefore, hangarConfig(), home))));
    }

    /**
     * Writes the changed files (known_hosts, then the Hangar config, then the Include line, so the
     * Include never points at a missing file). Idempotent.
     *
     * @return the plan that was applied; {@link SshConfigPlan#upToDate()} is true when nothing was
     *     written
     * @throws UncheckedIOException when a file cannot be written (the message names it)
     */
    public SshConfigPlan apply(SshConfigInput input) {
        SshConfigPlan plan = plan(input);
        for (FileChange c : plan.files()) {
            if (c.changed()) write(c.path(), c.after());
        }
        return plan;
    }

    private FileChange change(Path path, String after) {
        return new FileChange(path, Files.exists(path), read(path), after);
    }

    /** ~/.ssh/config may be a symlink into a dotfiles repository: edit its target, keep the link. */
    private static Path realTarget(Path p) {
        try {
            return Files.isSymbolicLink(p) ? p.toRealPath() : p;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    p + " is a symlink whose target cannot be resolved (" + e.getMessage()
                            + "); fix or remove the link",
                    e);
        }
    }

    private static String read(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) return "";
        if (!Files.isRegularFile(p)) throw new UncheckedIOException(new IOException(p + " is not a regular file"));
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path target, String content) {
        Path dir = target.getParent();
        try {
            if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Set<PosixFilePermission> mode = Files.exists(target) ? Files.getPosixFilePermissions(target) : FILE_MODE;
            Path tmp = Files.createTempFile(
                    dir, "." + target.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.setPosixFilePermissions(tmp, mode);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
