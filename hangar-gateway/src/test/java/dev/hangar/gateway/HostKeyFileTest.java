package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostKeyFileTest {
    @TempDir
    Path tmp;

    @Test
    void generatedOnceAsA0600OpenSshKeyAndReused() throws Exception {
        Path dir = tmp.resolve("state");
        KeyPair first = HostKeyFile.loadOrCreate(dir);
        KeyPair second = HostKeyFile.loadOrCreate(dir);

        Path file = dir.resolve(HostKeyFile.FILE_NAME);
        assertThat(second.getPublic()).isEqualTo(first.getPublic());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        // the real ssh-keygen reads it as an Ed25519 key: it is a standard OpenSSH private key file
        Proc.Result r = Proc.ok(Duration.ofSeconds(20), List.of("ssh-keygen", "-y", "-f", file.toString()));
        assertThat(r.stdout()).startsWith("ssh-ed25519 ");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void serversStartingAtOnceOnOneHomeAllServeTheKeyThatWasWrittenFirst() throws Exception {
        // With a rename into place the last writer replaced the file, so an earlier caller kept
        // serving a key that no longer existed on disk.
        for (int round = 0; round < 10; round++) {
            Path dir = tmp.resolve("race-" + round);
            int callers = 6;
            CyclicBarrier start = new CyclicBarrier(callers);
            try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
                List<Future<KeyPair>> keys = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    keys.add(pool.submit(() -> {
                        start.await();
                        return HostKeyFile.loadOrCreate(dir);
                    }));
                }
                KeyPair onDisk = HostKeyFile.loadOrCreate(dir);
                for (Future<KeyPair> k : keys) assertThat(k.get().getPublic()).isEqualTo(onDisk.getPublic());
            }
            try (var files = Files.list(dir)) {
                assertThat(files).containsExactly(dir.resolve(HostKeyFile.FILE_NAME));
            }
        }
    }

    @Test
    void aKeyReadableByOthersIsRefusedWithTheFix() throws Exception {
        Path dir = tmp.resolve("state");
        HostKeyFile.loadOrCreate(dir);
        Path file = dir.resolve(HostKeyFile.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> HostKeyFile.loadOrCreate(dir)).hasMessageContaining("chmod 600 " + file);
    }

    @Test
    void garbageIsRefusedWithTheFix() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("state"));
        Path file = Files.writeString(dir.resolve(HostKeyFile.FILE_NAME), "not a key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> HostKeyFile.loadOrCreate(dir)).hasMessageContaining("delete it");
    }
}
