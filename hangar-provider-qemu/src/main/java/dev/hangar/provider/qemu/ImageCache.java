package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.UnknownImageException;
import dev.hangar.provider.spi.WorkspaceImages;
import dev.hangar.provider.vm.CatalogImage;
import dev.hangar.provider.vm.ImageCatalog;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Base images under {@code <dataDir>/images/<name>/}, downloaded from the {@link ImageCatalog} or
 * imported from local files. Thread-safe; concurrent pulls or imports of one name are serialised.
 *
 * <p>Layout of a cached image directory: either {@code disk.qcow2} / {@code disk.raw} (booted through
 * the firmware) or a kernel-boot set {@code vmlinuz}, {@code initrd.img}, {@code root.raw} and
 * {@code cmdline}. A directory appears only complete: it is assembled under a temporary name and
 * renamed into place. Interrupted downloads stay in {@code images/.downloads/} and are resumed with
 * an HTTP range request (RFC 9110 section 14); a checksum mismatch or a corrupt image deletes them.
 */
public final class ImageCache {
    /** The kernel command line of a kernel-boot image without a {@code cmdline} file. */
    public static final String DEFAULT_CMDLINE = "root=/dev/vda rw console=ttyS0 net.ifnames=0";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final Path root;
    private final ImageCatalog catalog;
    private final QemuImg qemuImg;
    private final ImageDownload download;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Path, Described> described = new ConcurrentHashMap<>();

    /**
     * What {@code qemu-img info} said of a cached disk whose size, modification time and file key
     * (inode) were these when it was asked: a create looks its image up on every pass, and each
     * {@code qemu-img info} is a process start, 0.1-0.14 s of a create under load (bench/qemu,
     * round 5). A replaced or rewritten file differs in one of the three and is probed again.
     */
    private record Described(long size, FileTime modified, Object fileKey, QemuImg.Info info) {}

    /**
     * @param root the cache directory, normally {@code <dataDir>/images}; created if missing
     * @param qemuImg used to probe every image before it enters the cache
     */
    ImageCache(Path root, ImageCatalog catalog, QemuImg qemuImg, HttpClient http) {
        this.root = root;
        this.catalog = catalog;
        this.qemuImg = qemuImg;
        this.download = new ImageDownload(root.resolve(".downloads"), http);
    }

    /** @return the catalog this cache pulls from */
    public ImageCatalog catalog() {
        return catalog;
    }

    /**
     * @return the cached image called {@code name}, if present
     * @throws ProviderException (permanent) if the cached files cannot be read by qemu-img
     */
    public Optional<BaseImage> cached(String name) {
        Path dir = root.resolve(name);
        if (!NAME.matcher(name).matches() || !Files.isDirectory(dir)) return Optional.empty();
        try {
            return Optional.of(describe(name, dir));
        } catch (IOException e) {
            throw new ProviderException(
                    "cached image " + dir + " is unreadable (" + e.getMessage()
                            + "); delete the directory and pull or import it again",
                    true,
                    e);
        }
    }

    /** @return every cached image, sorted by name */
    public List<BaseImage> list() {
        List<BaseImage> images = new ArrayList<>();
        if (!Files.isDirectory(root)) return images;
        try (DirectoryStream<Path> dirs =
                Files.newDirectoryStream(root, p -> !p.getFileName().toString().startsWith("."))) {
            for (Path dir : dirs) cached(dir.getFileName().toString()).ifPresent(images::add);
        } catch (IOException e) {
            throw new ProviderException("cannot list image cache " + root + ": " + e.getMessage(), false, e);
        }
        images.sort(Comparator.comparing(BaseImage::name));
        return images;
    }

    /**
     * Returns the cached image, downloading it from the catalog first if needed. Blocks for the
     * whole download. Idempotent.
     *
     * @throws ProviderException permanent for an unknown name, a checksum mismatch or a file that
     *     is not a valid image of the catalog's format (nothing is left behind); transient for
     *     network errors (the partial download is kept and resumed next time)
     */
    public BaseImage pull(String name, DownloadProgress progress) {
        synchronized (lock(name)) {
            Optional<BaseImage> cached = cached(name);
            if (cached.isPresent()) return cached.get();
            CatalogImage entry = catalogEntry(name);
            try {
                return downloadAndCache(entry, progress);
            } catch (IOException e) {
                throw new ProviderException(
                        "downloading image " + name + " from " + entry.url() + " failed: "
                                + DownloadFailure.describe(e, entry.url()) + " (the next try resumes it); "
                                + DownloadFailure.offlineRemedy(name),
                        false,
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderException("download of image " + name + " was interrupted", false, e);
            }
        }
    }

    /**
     * @return the catalog entry called {@code name}
     * @throws UnknownImageException when the catalog has none; the message names the known images
     *     and {@code hangar image import}
     */
    public CatalogImage catalogEntry(String name) {
        return catalog.find(name)
                .orElseThrow(() -> new UnknownImageException("unknown image '" + name
                        + "': not in the image cache and not in the catalog (known: "
                        + catalog.images().stream().map(CatalogImage::name).toList()
                        + "); pull a catalog image or import one with `hangar image import FILE --name "
                        + name + "`"));
    }

    /**
     * Removes the cached image {@code name} (its directory is first renamed aside, so it disappears
     * at once and completely). Callers check that no workspace disk uses it.
     *
     * @return true when it was cached, false when not (idempotent)
     * @throws ProviderException (transient) when the files cannot be removed
     */
    public boolean delete(String name) {
        if (!NAME.matcher(name).matches()) return false;
        synchronized (lock(name)) {
            Path dir = root.resolve(name);
            if (!Files.isDirectory(dir)) return false;
            Path aside;
            try {
                aside = Files.createTempDirectory(root, "." + name + ".delete-");
                Files.move(dir, aside.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new ProviderException(
                        "cannot delete image " + name + " (" + dir + "): " + e.getMessage(), false, e);
            }
            deleteTree(aside);
            forget(dir);
            return true;
        }
    }

    /** @return the directory holding the cached image {@code name}, for finding overlays based on it */
    Path directory(String name) {
        return root.resolve(name);
    }

    /**
     * Copies a local image into the cache under {@code name}, for hosts without internet access.
     * {@code source} is either a disk image file (qcow2 or raw, booted through the firmware) or a
     * kernel-boot directory holding {@code vmlinuz}, {@code initrd.img}, {@code root.raw} and
     * optionally {@code cmdline} (what {@code tools/test-image/build.sh} prints). Sparse files stay
     * sparse.
     *
     * @return the cached image
     * @throws ProviderException (permanent) if the name is invalid or taken, the source is missing,
     *     or qemu-img cannot read it; nothing is left in the cache then
     */
    public BaseImage importImage(Path source, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new WorkspaceImages.ImageNameException(
                    "image name '" + name + "' must be 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        synchronized (lock(name)) {
            if (Files.exists(root.resolve(name))) {
                throw new ProviderException(
                        "image '" + name + "' is already in the cache (" + root.resolve(name)
                                + "); choose another name (workspaces may still use the cached one)",
                        true);
            }
            if (!Files.exists(source)) throw new ProviderException("cannot import " + source + ": no such file", true);
            Path tmp = null;
            try {
                Files.createDirectories(root);
                tmp = Files.createTempDirectory(root, "." + name + ".import-");
                if (Files.isDirectory(source)) {
                    for (String file : List.of("vmlinuz", "initrd.img", "root.raw")) {
                        if (!Files.isRegularFile(source.resolve(file))) {
                            throw new ProviderException(
                                    "cannot import " + source
                                            + ": a kernel-boot image directory needs vmlinuz, initrd.img and root.raw; "
                                            + file + " is missing",
                                    true);
                        }
                        copySparse(source.resolve(file), tmp.resolve(file));
                    }
                    String cmdline = Files.isRegularFile(source.resolve("cmdline"))
                            ? Files.readString(source.resolve("cmdline")).strip()
                            : DEFAULT_CMDLINE;
                    Files.writeString(tmp.resolve("cmdline"), cmdline + "\n");
                    QemuImg.Info root = requireFormat(
                            tmp.resolve("root.raw"),
                            "raw",
                            source.resolve("root.raw").toString());
                    DiskImageCheck.require(
                            tmp.resolve("root.raw"),
                            root,
                            source.resolve("root.raw").toString());
                } else {
                    if (!Files.isRegularFile(source)) {
                        throw new ProviderException(
                                "cannot import " + source + ": not a regular file or directory; expected "
                                        + DiskImageCheck.ACCEPTED,
                                true);
                    }
                    QemuImg.Info info = probe(source, source.toString());
                    DiskImageCheck.require(source, info, source.toString());
                    copySparse(source, tmp.resolve("disk." + info.format()));
                }
                describe(name, tmp);
                Files.move(tmp, root.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                return describe(name, root.resolve(name));
            } catch (IOException e) {
                throw new ProviderException(
                        "cannot import " + source + " as image " + name + ": " + e.getMessage(), true, e);
            } finally {
                if (tmp != null) {
                    deleteTree(tmp);
                    forget(tmp);
                }
            }
        }
    }

    private BaseImage downloadAndCache(CatalogImage entry, DownloadProgress progress)
            throws IOException, InterruptedException {
        Path part = download.fetch(entry, progress);
        Path tmp = Files.createTempDirectory(root, "." + entry.name() + ".pull-");
        try {
            Path disk = tmp.resolve("disk." + entry.format());
            Files.move(part, disk, StandardCopyOption.ATOMIC_MOVE);
            QemuImg.Info info = requireFormat(disk, entry.format(), entry.url().toString());
            DiskImageCheck.require(disk, info, entry.url().toString());
            Files.move(tmp, root.resolve(entry.name()), StandardCopyOption.ATOMIC_MOVE);
            return describe(entry.name(), root.resolve(entry.name()));
        } finally {
            deleteTree(tmp);
            Files.deleteIfExists(part);
        }
    }

    private QemuImg.Info requireFormat(Path disk, String format, String origin) {
        QemuImg.Info info = probe(disk, origin);
        if (!info.format().equals(format)) {
            throw new ProviderException(
                    "image " + origin + " is corrupt or not a " + format + " image (qemu-img detects " + info.format()
                            + ")",
                    true);
        }
        return info;
    }

    private QemuImg.Info probe(Path disk, String origin) {
        try {
            return qemuImg.info(disk);
        } catch (IOException e) {
            throw new ProviderException("image " + origin + " is corrupt or unreadable: " + e.getMessage(), true, e);
        }
    }

    /** Drops what {@link #cachedInfo} remembers of the files under {@code dir} (gone or going). */
    private void forget(Path dir) {
        described.keySet().removeIf(p -> p.startsWith(dir));
    }

    /** {@code qemu-img info} of a cached disk, asked again only when the file changed ({@link Described}). */
    private QemuImg.Info cachedInfo(Path disk) throws IOException {
        BasicFileAttributes a = Files.readAttributes(disk, BasicFileAttributes.class);
        Described d = described.get(disk);
        if (d != null
                && d.size() == a.size()
                && d.modified().equals(a.lastModifiedTime())
                && Objects.equals(d.fileKey(), a.fileKey())) return d.info();
        // attributes read before the probe: a file changed meanwhile differs from them at the next look
        QemuImg.Info info = qemuImg.info(disk);
        described.put(disk, new Described(a.size(), a.lastModifiedTime(), a.fileKey(), info));
        return info;
    }

    private BaseImage describe(String name, Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("vmlinuz"))) {
            Path disk = dir.resolve("root.raw");
            QemuImg.Info info = cachedInfo(disk);
            String cmdline = Files.isRegularFile(dir.resolve("cmdline"))
                    ? Files.readString(dir.resolve("cmdline")).strip()
                    : DEFAULT_CMDLINE;
            return new BaseImage(
                    name,
                    disk,
                    info.format(),
                    info.virtualSize(),
                    new BaseImage.Boot.Kernel(dir.resolve("vmlinuz"), dir.resolve("initrd.img"), cmdline));
        }
        for (String format : List.of("qcow2", "raw")) {
            Path disk = dir.resolve("disk." + format);
            if (Files.isRegularFile(disk)) {
                QemuImg.Info info = cachedInfo(disk);
                return new BaseImage(name, disk, info.format(), info.virtualSize(), new BaseImage.Boot.Firmware());
            }
        }
        throw new IOException("no disk.qcow2, disk.raw or vmlinuz+root.raw in " + dir);
    }

    private static void copySparse(Path from, Path to) throws IOException {
        // cp keeps holes (a 3 GiB ext4 image with 700 MiB of data stays 700 MiB) and reflinks where
        // the filesystem can; Files.copy would write every zero.
        Command.Result r = Command.run(
                List.of("cp", "--sparse=always", "--reflink=auto", from.toString(), to.toString()),
                Duration.ofMinutes(30));
        if (!r.ok()) throw new IOException("cp " + from + " failed: " + r.message());
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new ProviderException("cannot delete " + dir + ": " + e.getMessage(), false, e);
        }
    }
}
