package dev.hangar.provider.qemu;

import java.net.URI;
import java.util.Objects;

/**
 * One downloadable image of the {@link ImageCatalog}.
 *
 * @param name the name templates use, e.g. {@code debian-12}
 * @param description one line for listings
 * @param url where the image file is downloaded from (https)
 * @param format the disk format the file must have: {@code qcow2} or {@code raw}
 * @param checksum how the download is verified
 */
public record CatalogImage(String name, String description, URI url, String format, ChecksumSource checksum) {
    public CatalogImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(checksum, "checksum");
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
