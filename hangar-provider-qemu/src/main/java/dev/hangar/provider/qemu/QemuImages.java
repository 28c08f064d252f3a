package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ImageInUseException;
import dev.hangar.provider.spi.ImageInfo;
import dev.hangar.provider.spi.ImageState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.PullStatus;
import dev.hangar.provider.spi.WorkspaceImages;
import dev.hangar.provider.vm.CatalogImage;
import dev.hangar.provider.vm.ImageCatalog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The qemu provider's {@link WorkspaceImages}: the {@link ImageCatalog} and the {@link ImageCache}
 * in this process, with pulls tracked by the same {@link ImagePulls} that workspace starts use.
 * An image is in use while a workspace's overlay has it as its backing file.
 *
 * <p>Thread-safe.
 */
final class QemuImages implements WorkspaceImages {
    private final ImageCache cache;
    private final ImagePulls pulls;
    private final Path workspacesDir;
    private final QemuImg qemuImg;

    QemuImages(ImageCache cache, ImagePulls pulls, Path workspacesDir, QemuImg qemuImg) {
        this.cache = cache;
        this.pulls = pulls;
        this.workspacesDir = workspacesDir;
        this.qemuImg = qemuImg;
    }

    @Override
    public List<ImageInfo> list() {
        Map<String, ImageInfo> out = new TreeMap<>();
        for (CatalogImage c : cache.catalog().images()) find(c.name()).ifPresent(i -> out.put(i.name(), i));
        for (BaseImage b : cache.list()) find(b.name()).ifPresent(i -> out.put(i.name(), i));
        return new ArrayList<>(out.values());
    }

    @Override
    public Optional<ImageInfo> find(String name) {
        Optional<CatalogImage> entry = cache.catalog().find(name);
        Optional<BaseImage> cached = cache.cached(name);
        Optional<PullStatus> pull = pulls.status(name);
        if (entry.isEmpty() && cached.isEmpty() && pull.isEmpty()) return Optional.empty();
        String description = entry.map(CatalogImage::description).orElse("imported image");
        String source = entry.map(c -> c.url().toString()).orElse("imported");
        if (cached.isPresent()) {
            return Optional.of(new ImageInfo(
                    name, description, source, ImageState.CACHED, cached.get().virtualSize(), PullStatus.NONE));
        }
        if (pull.isPresent()) {
            ImageState state = pull.get().error().isEmpty() ? ImageState.PULLING : ImageState.FAILED;
            return Optional.of(new ImageInfo(name, description, source, state, 0, pull.get()));
        }
        return Optional.of(new ImageInfo(name, description, source, ImageState.AVAILABLE, 0, PullStatus.NONE));
    }

    @Override
    public ImageInfo pull(String name) {
        if (cache.cached(name).isEmpty()) pulls.start(name, ProviderListener.NONE);
        return find(name).orElseThrow();
    }

    @Override
    public ImageInfo importImage(Path source, String name) {
        cache.importImage(source, name);
        pulls.forget(name);
        return find(name).orElseThrow();
    }

    @Override
    public boolean delete(String name) {
        if (cache.cached(name).isEmpty()) return false;
        List<String> users = workspacesUsing(name);
        if (!users.isEmpty()) throw new ImageInUseException(name, users);
        boolean deleted = cache.delete(name);
        pulls.forget(name);
        return deleted;
    }

    /** @return the ids of workspaces whose overlay's backing file is in the image's directory, sorted */
    List<String> workspacesUsing(String name) {
        Path imageDir = cache.directory(name).toAbsolutePath().normalize();
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(workspacesDir)) return ids;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(workspacesDir, Files::isDirectory)) {
            for (Path p : dirs) {
                Path overlay = new WorkspaceDir(p).overlay();
                if (!Files.isRegularFile(overlay)) continue;
                Optional<Path> backing = qemuImg.info(overlay).backingFile();
                if (backing.isPresent()
                        && backing.get().toAbsolutePath().normalize().startsWith(imageDir)) {
                    ids.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new ProviderException(
                    "cannot tell which workspaces use image " + name + ": " + e.getMessage() + "; nothing was deleted",
                    false,
                    e);
        }
        ids.sort(null);
        return ids;
    }
}
