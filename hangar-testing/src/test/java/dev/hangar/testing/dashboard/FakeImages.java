package dev.hangar.testing.dashboard;

import dev.hangar.provider.spi.ImageInfo;
import dev.hangar.provider.spi.ImageState;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.PullStatus;
import dev.hangar.provider.spi.UnknownImageException;
import dev.hangar.provider.spi.WorkspaceImages;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A test-only provider (type {@code fakeimages}) that runs no workspaces and offers {@link
 * WorkspaceImages} whose pulls the test drives: {@link #pull} starts a pull at 0 bytes, {@link
 * #progress} moves it, {@link #finish} caches the image and {@link #fail} fails it. No download
 * happens; the dashboard's images page sees exactly what it would see of a real provider's pull.
 * Thread-safe.
 */
final class FakeImages implements WorkspaceImages, WorkspaceProviderFactory {
    static final String TYPE = "fakeimages";

    private final Map<String, ImageInfo> images = new ConcurrentSkipListMap<>();

    /** Adds a catalog image (state available). */
    FakeImages catalog(String name, String description) {
        images.put(
                name,
                new ImageInfo(
                        name, description, "https://images.invalid/" + name, ImageState.AVAILABLE, 0, PullStatus.NONE));
        return this;
    }

    /** Moves the running pull of {@code name} to {@code done} of {@code total} bytes. */
    void progress(String name, long done, long total) {
        images.computeIfPresent(
                name,
                (n, i) -> new ImageInfo(
                        n, i.description(), i.source(), ImageState.PULLING, 0, new PullStatus(done, total, "")));
    }

    /** Ends the pull of {@code name}: cached, {@code size} bytes. */
    void finish(String name, long size) {
        images.computeIfPresent(
                name,
                (n, i) -> new ImageInfo(n, i.description(), i.source(), ImageState.CACHED, size, PullStatus.NONE));
    }

    /** Fails the pull of {@code name} with {@code error}. */
    void fail(String name, String error) {
        images.computeIfPresent(
                name,
                (n, i) -> new ImageInfo(
                        n,
                        i.description(),
                        i.source(),
                        ImageState.FAILED,
                        0,
                        new PullStatus(i.pull().bytesDone(), i.pull().bytesTotal(), error)));
    }

    @Override
    public List<ImageInfo> list() {
        return List.copyOf(images.values());
    }

    @Override
    public Optional<ImageInfo> find(String name) {
        return Optional.ofNullable(images.get(name));
    }

    @Override
    public ImageInfo pull(String name) {
        ImageInfo i = images.get(name);
        if (i == null) throw new UnknownImageException("image '" + name + "' is not in the image catalog");
        if (i.state() == ImageState.CACHED || i.state() == ImageState.PULLING) return i;
        ImageInfo pulling =
                new ImageInfo(name, i.description(), i.source(), ImageState.PULLING, 0, new PullStatus(0, -1, ""));
        images.put(name, pulling);
        return pulling;
    }

    @Override
    public ImageInfo importImage(Path source, String name) {
        throw new UnsupportedOperationException("the fake images provider imports nothing");
    }

    @Override
    public boolean delete(String name) {
        return false;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public WorkspaceProvider create(ProviderContext context) {
        FakeImages images = this;
        return new WorkspaceProvider() {
            @Override
            public String type() {
                return TYPE;
            }

            @Override
            public Observation observe(WorkspaceSpec spec) {
                return new Observation.Absent();
            }

            @Override
            public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
                throw new UnsupportedOperationException("the fake images provider runs no workspaces");
            }

            @Override
            public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
                return new Observation.Absent();
            }

            @Override
            public Optional<WorkspaceImages> images() {
                return Optional.of(images);
            }

            @Override
            public void close() {}
        };
    }
}
