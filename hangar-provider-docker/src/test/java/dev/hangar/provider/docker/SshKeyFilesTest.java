package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshKeyFilesTest {
    @TempDir
    Path data;

    @Test
    void writesPrivateFilesOwnedByTheContainerUserAndRemovesThem() throws Exception {
        long uid = ((Number) Files.getAttribute(data, "unix:uid")).longValue() == 0 ? 1000 : currentUid();
        SshKeyFiles files = new SshKeyFiles(data, uid);
        var spec = ContainerManifestsTest.spec(UUID.randomUUID().toString(), Map.of());
        Path dir = files.write(spec);
        assertThat(dir).isEqualTo(data.resolve("workspaces").resolve(spec.id()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        assertThat(((Number) Files.getAttribute(dir, "unix:uid")).longValue()).isEqualTo(uid);
        Map<String, String> expected = ContainerManifests.sshFiles(spec);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
        }
        for (var e : expected.entrySet()) {
            Path f = dir.resolve(e.getKey());
            assertThat(f).hasContent(e.getValue().stripTrailing());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                    .isEqualTo("rw-------");
            assertThat(((Number) Files.getAttribute(f, "unix:uid")).longValue()).isEqualTo(uid);
        }

        // idempotent: a second write changes nothing (same inode for unchanged files)
        Object inode = Files.getAttribute(dir.resolve("authorized_keys"), "unix:ino");
        files.write(spec);
        assertThat(Files.getAttribute(dir.resolve("authorized_keys"), "unix:ino"))
                .isEqualTo(inode);

        files.delete(spec.id());
        assertThat(dir).doesNotExist();
        files.delete(spec.id()); // idempotent
        assertThat(data.resolve("workspaces")).isEmptyDirectory();
    }

    private long currentUid() throws Exception {
        return ((Number) Files.getAttribute(data, "unix:uid")).longValue();
    }
}
