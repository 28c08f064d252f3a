package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * A base image as a provider's {@link WorkspaceImages} reports it: a catalog entry, a cached image,
 * or both.
 *
 * @param name the name templates and {@code --image} use, e.g. {@code debian-12}
 * @param description one line for listings (for images that are only cached: where they came from)
 * @param source the download URL for catalog images, {@code imported} for images that are only in
 *     the cache
 * @param state what can be done with it now
 * @param virtualSizeBytes the disk size the image declares, in bytes; 0 when not cached
 * @param pull the progress of the running pull, or the failure of the last one; {@link
 *     PullStatus#NONE} when there is neither
 */
public record ImageInfo(
        String name, String description, String source, ImageState state, long virtualSizeBytes, PullStatus pull) {
    public ImageInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(pull, "pull");
        if (virtualSizeBytes < 0) throw new IllegalArgumentException("virtualSizeBytes must be >= 0");
    }
}
