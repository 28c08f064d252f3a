package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The $HANGAR_HOME files on their own; the order of the steps is HangarServerStartupTest's. */
class HangarHomeTest {

    @Test
    void createMakesTheHomeAndItsParentsPrivateAndLeavesAnExistingOneAlone(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("data").resolve("hangar");
        HangarHome.create(home);
        assertThat(home).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.getParent())))
                .isEqualTo("rwx------");

        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-x---"));
        HangarHome.create(shared);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
                .isEqualTo("rwxr-x---");
    }

    @Test
    void aHomeThatCannotBeCreatedIsAConfigErrorNamingIt(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Path home = file.resolve("hangar");
        assertThatThrownBy(() -> HangarHome.create(home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot create HANGAR_HOME " + home);
    }

    @Test
    void theHostCaIsMadeOnceAndLoadedAfterwards(@TempDir Path tmp) {
        HangarHome home = HangarHome.create(tmp.resolve("home"));
        String first = home.hostCa().publicKey();
        assertThat(tmp.resolve("home").resolve("ssh").resolve("host_ca")).isRegularFile();
        assertThat(HangarHome.create(tmp.resolve("home")).hostCa().publicKey()).isEqualTo(first);
    }

    @Test
    void anUnreadableHostCaIsAConfigError(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("home");
        Files.createDirectories(dir.resolve("ssh"));
        Files.writeString(dir.resolve("ssh").resolve("host_ca"), "not a key\n");
        assertThatThrownBy(() -> HangarHome.create(dir).hostCa()).isInstanceOf(ConfigException.class);
    }
}
