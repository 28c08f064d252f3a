package dev.hangar.api;

/**
 * A base image as {@code GET /api/v1/images} shows it: a catalog entry, a cached image, or both; or
 * an image in the container engine.
 *
 * @param name the name templates and {@code --image} use, e.g. {@code debian-12}
 * @param description one line (the catalog's; for imported images where they came from)
 * @param source the download URL for catalog images, {@code imported} for images that are only in
 *     the cache
 * @param state {@code cached} (ready to boot), {@code pulling} (a download runs), {@code failed}
 *     (the last pull failed; see {@code error}) or {@code available} (in the catalog, not cached)
 * @param bytesDone bytes downloaded so far while pulling; for cached images their virtual disk size
 * @param bytesTotal the download's size in bytes while pulling, {@code -1} when the server did not
 *     say; for cached images their virtual disk size
 * @param virtualSizeBytes the disk size the image declares (qemu-img's virtual size); 0 when not
 *     cached
 * @param error why the last pull failed; empty otherwise
 * @param provider the provider type the image belongs to ({@code qemu}: a VM base image; {@code
 *     docker}: an image in the container engine, named {@code repository:tag})
 */
public record ImageView(
        String name,
        String description,
        String source,
        String state,
        long bytesDone,
        long bytesTotal,
        long virtualSizeBytes,
        String error,
        String provider) {}
