package dev.hangar.server;

import dev.hangar.api.ImageView;
import dev.hangar.provider.qemu.BaseImage;
import dev.hangar.provider.qemu.CatalogImage;
import dev.hangar.provider.qemu.ImageCache;
import dev.hangar.provider.spi.ProviderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image use cases of {@code /api/v1/images} over the qemu provider's {@link ImageCache} (which
 * lives in the server process): list, background pulls with progress, import. The server sees
 * only this class and the cache, not the provider's workspace logic.
 *
 * <p>A pull runs on a virtual thread; a second pull of the same name joins the running one. The
 * cache serialises pulls of one name itself, so a pull the provider starts for a workspace and one
 * started here never download twice. The state of the last pull of each name is kept in memory
 * (lost on restart; a partial download on disk is resumed by the next pull).
 *
 * <p>Thread-safe.
 */
final class ImagePulls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePulls.class);

    private final ImageCache cache;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentHashMap<String, Pull> pulls = new ConcurrentHashMap<>();

    /** Progress of one pull: bytes so far, total ({@code -1} unknown), failure message. */
    private static final class Pull {
        final AtomicLong done = new AtomicLong();
        final AtomicLong total = new AtomicLong(-1);
        volatile boolean running = true;
        volatile String error = "";
    }

    ImagePulls(ImageCache cache) {
        this.cache = cache;
    }

    /** @return every catalog entry and every cached image, sorted by name */
    List<ImageView> list() {
        Map<String, ImageView> out = new TreeMap<>();
        for (CatalogImage c : cache.catalog().images())
            out.put(c.name(), view(c.name()).orElseThrow());
        for (BaseImage b : cache.list()) out.put(b.name(), view(b.name()).orElseThrow());
        return new ArrayList<>(out.values());
    }

    /** @return the image called {@code name}; empty when neither cached, in the catalog nor pulled */
    Optional<ImageView> view(String name) {
        Optional<CatalogImage> entry = cache.catalog().find(name);
        Optional<BaseImage> cached = cache.cached(name);
        Pull pull = pulls.get(name);
        if (entry.isEmpty() && cached.isEmpty() && pull == null) return Optional.empty();
        String description = entry.map(CatalogImage::description).orElse("imported image");
        String source = entry.map(c -> c.url().toString()).orElse("imported");
        if (cached.isPresent()) {
            long size = cached.get().virtualSize();
            return Optional.of(new ImageView(name, description, source, "cached", size, size, size, ""));
        }
        if (pull != null && pull.running) {
            return Optional.of(
                    new ImageView(name, description, source, "pulling", pull.done.get(), pull.total.get(), 0, ""));
        }
        if (pull != null && !pull.error.isEmpty()) {
            return Optional.of(new ImageView(
                    name, description, source, "failed", pull.done.get(), pull.total.get(), 0, pull.error));
        }
        return Optional.of(new ImageView(name, description, source, "available", 0, -1, 0, ""));
    }

    /**
     * Starts a background download of the catalog image {@code name}, or joins the one running.
     * Idempotent: a cached image is returned as it is.
     *
     * @return the image's state right after the call
     * @throws IllegalArgumentException when {@code name} is neither cached nor in the catalog (the
     *     message names the known images)
     */
    ImageView pull(String name) {
        if (cache.cached(name).isEmpty()) {
            if (cache.catalog().find(name).isEmpty()) {
                throw new IllegalArgumentException("unknown image '" + name + "': not in the image catalog (known: "
                        + cache.catalog().images().stream()
                                .map(CatalogImage::name)
                                .toList()
                        + "); for an image file on the server host use `hangar image import FILE --name " + name
                        + "`");
            }
            pulls.compute(name, (n, running) -> {
                if (running != null && running.running) return running;
                Pull p = new Pull();
                background.submit(() -> run(n, p));
                return p;
            });
        }
        return view(name).orElseThrow();
    }

    private void run(String name, Pull p) {
        try {
            cache.pull(name, (done, total) -> {
                p.done.set(done);
                p.total.set(total);
            });
            LOG.info("image {} pulled ({} bytes)", name, p.done.get());
        } catch (ProviderException | java.io.UncheckedIOException e) {
            p.error = e.getMessage();
            LOG.warn("pulling image {} failed: {}", name, e.getMessage());
        } catch (RuntimeException e) {
            p.error = "internal error: " + e;
            LOG.error("pulling image {} failed", name, e);
        } finally {
            p.running = false;
        }
    }

    /**
     * Imports a file or kernel-boot directory on this host into the cache (blocking).
     *
     * @throws ProviderException (permanent) for a bad name, a missing or corrupt source; nothing is
     *     left in the cache then
     */
    ImageView importImage(java.nio.file.Path source, String name) {
        cache.importImage(source, name);
        pulls.remove(name);
        return view(name).orElseThrow();
    }

    /** @return whether {@code name} is cached already */
    boolean isCached(String name) {
        return cache.cached(name).isPresent();
    }

    /** Interrupts running downloads (their partial files stay and are resumed next time). */
    @Override
    public void close() {
        background.shutdownNow();
    }
}
