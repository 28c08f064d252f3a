package dev.hangar.provider.vm;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One downloadable image of the {@link ImageCatalog}, shared by the VM providers: the qemu provider
 * downloads {@link #url()} into its cache, the kubevirt provider has CDI import it (or {@link
 * #registry()} when given) into a DataVolume.
 *
 * @param name the name templates use, e.g. {@code debian-12}
 * @param description one line for listings
 * @param url where the image file is downloaded from (https)
 * @param format the disk format the file must have: {@code qcow2} or {@code raw}
 * @param checksum how the download is verified
 * @param registry a container-disk image reference ({@code docker://...} as CDI's registry source
 *     takes it) holding the same OS, or empty when the catalog gives none
 */
public record CatalogImage(
        String name, String description, URI url, String format, ChecksumSource checksum, String registry) {
    public CatalogImage {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(checksum, "checksum");
    }

    /** An entry without a registry source. */
    public CatalogImage(String name, String description, URI url, String format, ChecksumSource checksum) {
        this(name, description, url, format, checksum, "");
    }

    /** @return the container-disk reference of this image, when the catalog gives one */
    public Optional<String> registryImage() {
        return registry.isEmpty() ? Optional.empty() : Optional.of(registry);
    }

    /** @return the last path segment of {@link #url()}, the name checksum files list */
    public String fileName() {
        String path = url.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Where the expected digest of an image comes from. */
    public sealed interface ChecksumSource {
        /** The digest is written in the catalog. */
        record Inline(Checksum checksum) implements ChecksumSource {
            public Inline {
                Objects.requireNonNull(checksum, "checksum");
            }
        }

        /**
         * The digest is looked up in a checksum file published beside the image.
         *
         * @param algorithm {@code sha256} or {@code sha512}
         */
        record Published(URI url, String algorithm) implements ChecksumSource {
            public Published {
                Objects.requireNonNull(url, "url");
                Objects.requireNonNull(algorithm, "algorithm");
            }
        }
    }
}
