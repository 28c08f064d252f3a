package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/images/import} (admins only).
 *
 * @param path absolute path ON THE SERVER HOST of a qcow2 or raw disk image, or of a kernel-boot
 *     directory holding {@code vmlinuz}, {@code initrd.img}, {@code root.raw} and optionally
 *     {@code cmdline}
 * @param name the name to cache it under (1-63 of {@code a-z 0-9 . _ -}); must not be cached yet
 */
public record ImportImageRequest(String path, String name) {}
