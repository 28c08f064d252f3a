package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.PullStatus;
import dev.hangar.provider.vm.CatalogImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that tracks background downloads of the {@link ImageCache}: for workspace starts
 * ({@link #imageFor}) and for {@code hangar image pull} ({@link #start}) alike, so both see the same
 * progress and a pull started by one is joined by the other.
 *
 * <p>The last pull of each name is kept in memory with its progress or failure (lost on restart;
 * a partial download on disk is resumed by the next pull). A failure is handed to a waiting
 * workspace start once ({@link #imageFor} throws it); the next start pulls again.
 *
 * <p>Thread-safe.
 */
final class ImagePulls {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePulls.class);

    private final ImageCache cache;
    private final ExecutorService background;
    private final Clock clock;
    private final ConcurrentHashMap<String, Pull> pulls = new ConcurrentHashMap<>();

    /** One download: progress, outcome, and whether a workspace start waits for it. */
    private static final class Pull {
        final AtomicLong done = new AtomicLong();
        final AtomicLong total = new AtomicLong(-1);
        /** A workspace start joined this pull and must see its failure. */
        final AtomicBoolean awaited = new AtomicBoolean();
        /** The failure was thrown to a workspace start already. */
        final AtomicBoolean failureDelivered = new AtomicBoolean();

        volatile CompletableFuture<BaseImage> future;

        boolean running() {
            return !future.isDone();
        }

        Optional<ProviderException> failure() {
            if (!future.isDone() || !future.isCompletedExceptionally()) return Optional.empty();
            try {
                future.join();
                return Optional.empty();
            } catch (CompletionException e) {
                return Optional.of(
                        e.getCause() instanceof ProviderException pe
                                ? pe
                                : new ProviderException("internal error: " + e.getCause(), false, e.getCause()));
            } catch (java.util.concurrent.CancellationException e) {
                return Optional.of(new ProviderException("the download was cancelled", false, e));
            }
        }
    }

    ImagePulls(ImageCache cache, ExecutorService background, Clock clock) {
        this.cache = cache;
        this.background = background;
        this.clock = clock;
    }

    /**
     * Starts a background download of catalog image {@code name}, or joins the running one.
     *
     * @param listener receives {@code image-pull-started} and {@code image-pulled} when this call
     *     starts the download
     * @throws dev.hangar.provider.spi.UnknownImageException when {@code name} is not in the catalog
     */
    void start(String name, ProviderListener listener) {
        pull(name, listener, false);
    }

    private Pull pull(String name, ProviderListener listener, boolean keepPendingFailure) {
        CatalogImage entry = cache.catalogEntry(name);
        return pulls.compute(name, (n, last) -> {
            if (last != null && last.running()) return last;
            if (keepPendingFailure
                    && last != null
                    && last.awaited.get()
                    && !last.failureDelivered.get()
                    && last.failure().isPresent()) return last; // a workspace start has yet to see this failure
            Pull p = new Pull();
            listener.event("image-pull-started", "downloading image " + n + " from " + entry.url());
            Instant began = clock.instant();
            p.future = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            BaseImage image = cache.pull(n, (done, total) -> {
                                p.done.set(done);
                                p.total.set(total);
                            });
                            LOG.info("image {} pulled ({} bytes)", n, p.done.get());
                            listener.event(
                                    "image-pulled",
                                    "image " + n + " downloaded and verified in "
                                            + Duration.between(began, clock.instant())
                                                    .toSeconds() + " s");
                            return image;
                        } catch (RuntimeException e) {
                            LOG.warn("pulling image {} failed: {}", n, e.getMessage());
                            throw e;
                        }
                    },
                    background);
            return p;
        });
    }

    /**
     * The image for a workspace start: the cached one, or empty while a background download (started
     * now or joined) runs.
     *
     * @throws ProviderException the failure of the download this workspace waited for (once; the
     *     next call pulls again), or an unknown image
     */
    Optional<BaseImage> imageFor(String name, ProviderListener listener) {
        Optional<BaseImage> cached = cache.cached(name);
        if (cached.isPresent()) return cached;
        Pull p = pull(name, listener, true);
        p.awaited.set(true);
        if (p.running()) return Optional.empty();
        Optional<ProviderException> failure = p.failure();
        if (failure.isPresent()) {
            p.failureDelivered.set(true);
            throw failure.get();
        }
        return Optional.of(p.future.join());
    }

    /**
     * @return a one-line description of the running download of {@code name} (or of a failure a
     *     workspace start has yet to see), or empty when there is none; no side effects
     */
    Optional<String> detail(String name) {
        Pull p = pulls.get(name);
        if (p == null) return Optional.empty();
        boolean pendingFailure =
                p.awaited.get() && !p.failureDelivered.get() && p.failure().isPresent();
        if (!p.running() && !pendingFailure) return Optional.empty();
        if (pendingFailure) {
            return Optional.of("downloading image " + name + " failed: "
                    + p.failure().map(Throwable::getMessage).orElse(""));
        }
        long done = p.done.get();
        long total = p.total.get();
        return Optional.of("downloading image " + name + ": " + (done >> 20) + " MiB"
                + (total > 0 ? " of " + (total >> 20) + " MiB (" + (done * 100 / total) + "%)" : ""));
    }

    /**
     * @return the running pull's progress, the last pull's failure, or empty when no pull of {@code
     *     name} is known (or the last one succeeded)
     */
    Optional<PullStatus> status(String name) {
        Pull p = pulls.get(name);
        if (p == null) return Optional.empty();
        if (p.running()) return Optional.of(new PullStatus(p.done.get(), p.total.get(), ""));
        return p.failure().map(e -> new PullStatus(p.done.get(), p.total.get(), e.getMessage()));
    }

    /** Forgets the last pull of {@code name}, e.g. after the image was imported or deleted. */
    void forget(String name) {
        pulls.computeIfPresent(name, (n, p) -> p.running() ? p : null);
    }
}
