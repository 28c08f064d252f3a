package dev.hangar.provider.spi;

/** Where an image of {@link WorkspaceImages} stands. */
public enum ImageState {
    /** In the catalog, not cached, no pull running, the last pull (if any) did not fail. */
    AVAILABLE,
    /** A download runs; see {@link ImageInfo#pull()} for its progress. */
    PULLING,
    /** The last pull failed; {@link PullStatus#error()} says why. The image is not cached. */
    FAILED,
    /** Cached and ready to back workspace disks. */
    CACHED
}
