package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerImagesTest {
    @TempDir
    Path dir;

    @Test
    void importChecksReferenceFileAndSocketBeforeSendingAnything() throws Exception {
        try (ContainerImages images = ContainerImages.of("unix://" + dir.resolve("none.sock"))) {
            Path tar = Files.writeString(dir.resolve("rootfs.tar"), "x");
            assertThatThrownBy(() -> images.importRootfs(tar, "NoTag"))
                    .isInstanceOf(ProviderException.class)
                    .hasMessageContaining("repository:tag")
                    .matches(e -> ((ProviderException) e).permanent());
            assertThatThrownBy(() -> images.importRootfs(dir.resolve("missing.tar"), "localhost/ws:1"))
                    .hasMessageContaining("no rootfs tarball");
            assertThatThrownBy(() -> images.importRootfs(tar, "localhost/ws:1"))
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("providers.docker.socket");
        }
    }
}
