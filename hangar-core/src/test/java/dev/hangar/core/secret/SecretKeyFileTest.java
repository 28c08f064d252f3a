package dev.hangar.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
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
    void concurrentFirstStartsAllGetTheOneKeyThatWonAndLeaveNoTemporaryFile() throws Exception {
        // Two servers starting at once on an empty HANGAR_HOME: before the link-into-place, the
        // loser could read the winner's file while it was still empty ("holds 0 bytes").
        for (int round = 0; round < 20; round++) {
            Path file = dir.resolve("race-" + round + "/secrets.key");
            int callers = 8;
            CyclicBarrier start = new CyclicBarrier(callers);
            try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
                List<Future<String>> ids = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    ids.add(pool.submit(() -> {
                        start.await();
                        return SecretKeyFile.loadOrCreate(file).keyId();
                    }));
                }
                Set<String> distinct = new HashSet<>();
                for (Future<String> id : ids) distinct.add(id.get());
                assertThat(distinct).hasSize(1);
            }
            try (Stream<Path> left = Files.list(file.getParent())) {
                assertThat(left).containsExactly(file);
            }
        }
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
