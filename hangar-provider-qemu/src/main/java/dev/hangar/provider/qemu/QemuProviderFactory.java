package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.vm.ImageCatalog;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Creates the {@code qemu} provider. Registered in {@code META-INF/services}; see {@link
 * QemuSettings} for the settings.
 *
 * <p>Layout under {@code ProviderContext.dataDir()}: {@code images/} (the {@link ImageCache}) and
 * {@code workspaces/<id>/}.
 */
public final class QemuProviderFactory implements WorkspaceProviderFactory {
    /** The provider type templates name. */
    public static final String TYPE = "qemu";

    /** For {@link java.util.ServiceLoader}. */
    public QemuProviderFactory() {}

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * @return a {@link QemuProvider}
     * @throws ProviderException (permanent) on unknown or invalid settings, a missing {@code
     *     qemu-system-x86_64} (apt package {@code qemu-system-x86}) or {@code qemu-img} (apt package
     *     {@code qemu-utils}), or an unreadable image catalog
     */
    @Override
    public QemuProvider create(ProviderContext context) {
        QemuSettings settings = QemuSettings.parse(context.settings());
        Path qemu = Binaries.resolve(settings.qemuBinary(), "qemu-system-x86");
        QemuImg qemuImg = new QemuImg(Binaries.resolve(settings.qemuImgBinary(), "qemu-utils"));
        ImageCatalog catalog = settings.catalogFile().map(ImageCatalog::load).orElseGet(ImageCatalog::shipped);
        try {
            Files.createDirectories(context.dataDir().resolve("workspaces"));
            Files.createDirectories(context.dataDir().resolve("images"));
        } catch (IOException e) {
            throw new ProviderException("cannot create " + context.dataDir() + ": " + e.getMessage(), true, e);
        }
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        ImageCache images = new ImageCache(context.dataDir().resolve("images"), catalog, qemuImg, http);
        AcceleratorChoice accelerator =
                AcceleratorChoice.resolve(settings.accelerator(), Path.of("/dev/kvm"), Path.of("/sys/module"));
        return new QemuProvider(context.dataDir(), settings, context.clock(), qemu, qemuImg, images, accelerator);
    }
}
