package dev.hangar.provider.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The base images a provider boots workspaces from: a catalog of downloadable images and a cache
 * of ready ones. A provider offers it through {@link WorkspaceProvider#images()}; the server's
 * {@code /api/v1/images} routes use only this interface, never a provider's own classes.
 *
 * <p><b>Validation.</b> Nothing enters the cache that is not a real disk image (what counts is the
 * provider's to say and to name in its errors): an import or a download that fails the check
 * leaves nothing behind.
 *
 * <p><b>Thread-safety.</b> Implementations are thread-safe. Pulls run in the background; a second
 * pull of a name joins the running one, also when a workspace start began it.
 */
public interface WorkspaceImages {

    /** @return every catalog entry and every cached image, sorted by name; quick (no network) */
    List<ImageInfo> list();

    /** @return the image called {@code name}, or empty when neither cached, in the catalog nor pulled */
    Optional<ImageInfo> find(String name);

    /**
     * Starts a background download of the catalog image {@code name}, or joins the running one.
     * Idempotent: a cached image is returned as it is. A failure shows later as {@link
     * ImageState#FAILED} with {@link PullStatus#error()}.
     *
     * @return the image right after the call
     * @throws UnknownImageException when {@code name} is neither cached nor in the catalog
     */
    ImageInfo pull(String name);

    /**
     * Copies a disk image file or kernel-boot directory that is on this host into the cache under
     * {@code name}, after checking that it really is one. Blocking.
     *
     * @param source an absolute path on the host the provider runs on
     * @return the cached image
     * @throws ImageNameException when {@code name} is malformed
     * @throws ProviderException (permanent) when the name is cached already, the source is missing
     *     or is not a disk image (the message says what was found); nothing is cached then
     */
    ImageInfo importImage(Path source, String name);

    /**
     * Removes the cached image {@code name}. The catalog entry, if any, stays (it can be pulled
     * again).
     *
     * @return true when it was cached and is now gone, false when it was not cached (idempotent)
     * @throws ImageInUseException while a workspace's disk is still based on it; nothing is removed
     */
    boolean delete(String name);

    /**
     * A malformed image name (not a usable directory name), for callers that tell name errors from
     * source errors.
     */
    final class ImageNameException extends ProviderException {
        private static final long serialVersionUID = 1L;

        /** @param message names the bad value and the allowed form */
        public ImageNameException(String message) {
            super(message, true);
        }
    }
}
