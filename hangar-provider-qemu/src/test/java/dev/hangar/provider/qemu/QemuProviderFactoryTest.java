package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.vm.CatalogImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuProviderFactoryTest {
    @TempDir
    Path dataDir;

    private static WorkspaceProviderFactory factory() {
        return ServiceLoader.load(WorkspaceProviderFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("qemu"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void isFoundByServiceLoaderAndCreatesTheLayout() {
        try (WorkspaceProvider provider =
                factory().create(new ProviderContext(dataDir, Map.of("accelerator", "tcg"), Clock.systemUTC()))) {
            assertThat(provider.type()).isEqualTo("qemu");
            assertThat(((QemuProvider) provider).accelerator().accelerator()).isEqualTo(Accelerator.TCG);
            assertThat(((QemuProvider) provider).imageCache().catalog().find("ubuntu-24.04"))
                    .isPresent();
        }
        assertThat(dataDir.resolve("workspaces")).isDirectory();
        assertThat(dataDir.resolve("images")).isDirectory();
    }

    @Test
    void missingQemuNamesTheAptPackage() {
        assertThatThrownBy(() -> factory()
                        .create(new ProviderContext(
                                dataDir, Map.of("qemu-binary", "qemu-system-doesnotexist"), Clock.systemUTC())))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("qemu-system-doesnotexist is not installed")
                .hasMessageContaining("apt-get install -y --no-install-recommends qemu-system-x86")
                .matches(e -> ((ProviderException) e).permanent());
        assertThatThrownBy(() -> factory()
                        .create(new ProviderContext(
                                dataDir, Map.of("qemu-img-binary", "/nonexistent/qemu-img"), Clock.systemUTC())))
                .hasMessageContaining("qemu-utils");
    }

    @Test
    void unknownSettingsAreRefused() {
        assertThatThrownBy(() ->
                        factory().create(new ProviderContext(dataDir, Map.of("namespace", "x"), Clock.systemUTC())))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("[namespace]");
    }

    @Test
    void aCatalogFileReplacesTheShippedOne() throws Exception {
        Path catalog = Files.writeString(
                dataDir.resolve("catalog.yaml"),
                "images:\n  - name: mine\n    url: https://example.invalid/mine.qcow2\n    sha256: " + "1b".repeat(32)
                        + "\n");
        try (QemuProvider provider = (QemuProvider) factory()
                .create(new ProviderContext(dataDir, Map.of("image-catalog", catalog.toString()), Clock.systemUTC()))) {
            assertThat(provider.imageCache().catalog().images())
                    .extracting(CatalogImage::name)
                    .containsExactly("mine");
        }
    }
}
