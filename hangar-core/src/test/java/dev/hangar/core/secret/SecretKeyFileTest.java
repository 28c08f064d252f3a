package dev.hangar.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets key file: created 0600 on first use, read back the same, refused when unsafe or malformed. */
class SecretKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void createdOwnerOnlyOnFirstUseAndReadBackTheSame() throws Exception {
        Path file = dir.resolve("sub/secrets.key");
        SecretCipher first = SecretKeyFile.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        SecretCipher again = SecretKeyFile.loadOrCreate(file);
        assertThat(again.keyId()).isEqualTo(first.keyId());
        assertThat(again.open("u", "n", first.seal("u", "n", new byte[] {1, 2})))
                .containsExactly(1, 2);
    }

    @Test
    void aGroupReadableFileIsRefused() throws Exception {
        Path file = dir.resolve("open.key");
        SecretKeyFile.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> SecretKeyFile.loadOrCreate(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("chmod 600");
    }

    @Test
    void aShortOrNonBase64KeyIsRefusedWithoutShowingIt() throws Exception {
        Path file = dir.resolve("short.key");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(new byte[16]));
        assertThatThrownBy(() -> SecretKeyFile.loadOrCreate(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds 16 bytes");
        Files.writeString(file, "not base64 !!");
        assertThatThrownBy(() -> SecretKeyFile.loadOrCreate(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("!!");
    }
}
