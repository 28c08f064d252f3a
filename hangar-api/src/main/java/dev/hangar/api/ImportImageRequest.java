package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/images/import} (admins only).
 *
 * @param path absolute path ON THE SERVER HOST: for {@code qemu}, a qcow2 or raw disk image, or a
 *     kernel-boot directory holding {@code vmlinuz}, {@code initrd.img}, {@code root.raw} and
 *     optionally {@code cmdline}; for {@code docker}, a root filesystem tarball (tar or tar.gz)
 * @param name for {@code qemu} the name to cache it under (1-63 of {@code a-z 0-9 . _ -}); for
 *     {@code docker} the image reference {@code repository[:tag]} ({@code :latest} when no tag);
 *     must not exist yet
 * @param provider the provider type to import into ({@code qemu} or {@code docker}); may be
 *     omitted (null) when only one provider on the server offers images
 */
public record ImportImageRequest(String path, String name, String provider) {
    /** A request for the only provider that offers images (as before providers were named). */
    public ImportImageRequest(String path, String name) {
        this(path, name, null);
    }
}
