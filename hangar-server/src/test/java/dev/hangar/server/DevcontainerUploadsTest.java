package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ValidationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DevcontainerUploads} on real tar archives (made here with commons-compress, as the CLI
 * makes them): what is kept (files with their executable bit, folders, links inside), each refusal
 * with the entry it names and nothing left behind, and the sweep of unused uploads.
 */
class DevcontainerUploadsTest {
    private static final String JSON = "{\"image\": \"x\"}";

    @TempDir
    Path root;

    @Test
    void unpacksFilesFoldersModesAndLinksInside() throws Exception {
        byte[] tar = tar(t -> {
            dir(t, ".devcontainer/");
            file(t, ".devcontainer/devcontainer.json", JSON, 0644);
            file(t, ".devcontainer/tool/install.sh", "#!/bin/sh\n", 0755);
            link(t, "config.json", ".devcontainer/devcontainer.json");
            link(t, ".devcontainer/tool/up", "../devcontainer.json");
        });
        Path dir = new DevcontainerUploads(root).unpack(new ByteArrayInputStream(tar), "alice", "project");

        assertThat(dir.getFileName()).hasToString("project");
        assertThat(dir.getParent().getParent()).isEqualTo(root.resolve("alice"));
        assertThat(Files.readString(dir.resolve(".devcontainer/devcontainer.json")))
                .isEqualTo(JSON);
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve(".devcontainer/tool/install.sh"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve(".devcontainer/devcontainer.json"))))
                .isEqualTo("rw-r--r--");
        assertThat(Files.readSymbolicLink(dir.resolve("config.json"))).hasToString(".devcontainer/devcontainer.json");
        assertThat(Files.readString(dir.resolve(".devcontainer/tool/up"))).isEqualTo(JSON);
    }

    @Test
    void refusesWhatLeavesTheFolderAndLeavesNothing() {
        assertRefused(t -> file(t, "../evil", "x", 0644), "entry '../evil' leaves the folder");
        assertRefused(t -> file(t, "a/../../evil", "x", 0644), "leaves the folder");
        assertRefused(
                t -> link(t, "out", "../../../etc"), "symbolic link 'out' -> '../../../etc' points outside the folder");
        assertRefused(t -> link(t, "abs", "/etc/passwd"), "symbolic link 'abs' -> '/etc/passwd' points outside");
        assertRefused(
                t -> {
                    TarArchiveEntry e = new TarArchiveEntry("hard", TarConstants.LF_LINK);
                    e.setLinkName("/etc/passwd");
                    put(t, e, null);
                },
                "entry 'hard' is a hard link");
        assertRefused(
                t -> {
                    file(t, "twice", "a", 0644);
                    file(t, "twice", "b", 0644);
                },
                "entry 'twice' appears twice");
        assertRefused(
                t -> {
                    link(t, "l", "sub");
                    file(t, "l", "through the link", 0644);
                },
                "entry 'l' appears twice");
        byte[] noJson = tar(t -> file(t, "README.md", "no devcontainer", 0644));
        assertThatThrownBy(() -> new DevcontainerUploads(root).unpack(new ByteArrayInputStream(noJson), "eve", "p"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("has no .devcontainer/devcontainer.json or .devcontainer.json");
        assertThat(uploadsOf("eve")).isZero();
    }

    @Test
    void refusesMoreThanTheLimitUnpacked() {
        byte[] tar = tar(t -> {
            file(t, ".devcontainer.json", JSON, 0644);
            file(t, "big.bin", "x".repeat(2000), 0644);
        });
        assertThatThrownBy(() -> new DevcontainerUploads(root, 1024).unpack(new ByteArrayInputStream(tar), "bob", "p"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("more than 1024 bytes unpacked");
        assertThat(uploadsOf("bob")).isZero();
    }

    @Test
    void refusesABadFolderName() {
        assertThatThrownBy(() ->
                        new DevcontainerUploads(root).unpack(new ByteArrayInputStream(new byte[0]), "alice", "../x"))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("name"));
    }

    @Test
    void sweepRemovesOldUploadsNoWorkspaceNames() throws Exception {
        DevcontainerUploads uploads = new DevcontainerUploads(root);
        byte[] tar = tar(t -> file(t, ".devcontainer.json", JSON, 0644));
        Path used = uploads.unpack(new ByteArrayInputStream(tar), "alice", "used");
        Path unused = uploads.unpack(new ByteArrayInputStream(tar), "alice", "unused");
        Path fresh = uploads.unpack(new ByteArrayInputStream(tar), "alice", "fresh");
        Instant old = Instant.now().minusSeconds(7200);
        for (Path p : new Path[] {used, unused}) Files.setLastModifiedTime(p.getParent(), FileTime.from(old));

        int removed = uploads.sweep(Set.of(used.toString()), Instant.now().minusSeconds(3600));

        assertThat(removed).isOne();
        assertThat(used).exists();
        assertThat(fresh).exists();
        assertThat(unused.getParent()).doesNotExist();
    }

    private void assertRefused(Consumer<TarArchiveOutputStream> entries, String message) {
        byte[] tar = tar(t -> {
            file(t, ".devcontainer.json", JSON, 0644);
            entries.accept(t);
        });
        assertThatThrownBy(() -> new DevcontainerUploads(root).unpack(new ByteArrayInputStream(tar), "eve", "p"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("archive"));
        assertThat(uploadsOf("eve")).as("nothing left after: " + message).isZero();
    }

    private long uploadsOf(String user) {
        Path dir = root.resolve(user);
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] tar(Consumer<TarArchiveOutputStream> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.accept(t);
            t.finish();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void dir(TarArchiveOutputStream t, String name) {
        put(t, new TarArchiveEntry(name), null);
    }

    private static void file(TarArchiveOutputStream t, String name, String content, int mode) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        e.setMode(0100000 | mode);
        put(t, e, b);
    }

    private static void link(TarArchiveOutputStream t, String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        put(t, e, null);
    }

    private static void put(TarArchiveOutputStream t, TarArchiveEntry e, byte[] content) {
        try {
            t.putArchiveEntry(e);
            if (content != null) t.write(content);
            t.closeArchiveEntry();
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
