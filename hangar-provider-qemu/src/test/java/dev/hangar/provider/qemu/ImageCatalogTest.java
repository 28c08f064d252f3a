package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.vm.CatalogImage;
import dev.hangar.provider.vm.Checksum;
import dev.hangar.provider.vm.ImageCatalog;
import org.junit.jupiter.api.Test;

class ImageCatalogTest {
    @Test
    void shippedCatalogHasTheOfficialCloudImages() {
        ImageCatalog catalog = ImageCatalog.shipped();

        assertThat(catalog.images())
                .extracting(CatalogImage::name)
                .containsExactly(
                        "almalinux-9",
                        "arch",
                        "centos-stream-9",
                        "debian-12",
                        "fedora-42",
                        "rocky-9",
                        "ubuntu-22.04",
                        "ubuntu-24.04");
        for (CatalogImage image : catalog.images()) {
            assertThat(image.url().getScheme()).isEqualTo("https");
            assertThat(image.format()).isEqualTo("qcow2");
            assertThat(image.checksum()).isInstanceOf(CatalogImage.ChecksumSource.Published.class);
        }
        CatalogImage debian = catalog.find("debian-12").orElseThrow();
        assertThat(debian.fileName()).isEqualTo("debian-12-genericcloud-amd64.qcow2");
        assertThat(((CatalogImage.ChecksumSource.Published) debian.checksum()).algorithm())
                .isEqualTo("sha512");
        assertThat(catalog.find("windows-11")).isEmpty();
    }

    @Test
    void parsesInlineChecksums() {
        ImageCatalog catalog = ImageCatalog.parse("""
                images:
                  - name: tiny
                    url: http://127.0.0.1:1/tiny.raw
                    format: raw
                    sha256: %s
                """.formatted("AB".repeat(32)), "test");

        CatalogImage tiny = catalog.find("tiny").orElseThrow();
        assertThat(tiny.description()).isEqualTo("tiny");
        assertThat(tiny.checksum())
                .isEqualTo(new CatalogImage.ChecksumSource.Inline(new Checksum("sha256", "ab".repeat(32))));
    }

    @Test
    void rejectsInvalidEntriesNamingTheProblem() {
        assertInvalid("images: {}", "needs a top-level list 'images'");
        assertInvalid("images:\n  - name: a\n    url: https://x/a\n", "exactly one of sha256, sha512 or checksum-url");
        assertInvalid("images:\n  - name: a\n    sha256: " + "0a".repeat(32) + "\n", "field 'url' is required");
        assertInvalid(
                "images:\n  - name: a\n    url: ftp://x/a\n    sha256: " + "0a".repeat(32), "must be an http(s) URL");
        assertInvalid("images:\n  - name: a\n    url: https://x/a\n    sha256: abc", "64 hexadecimal digits");
        assertInvalid(
                "images:\n  - name: a\n    url: https://x/a\n    sha256: " + "0a".repeat(32) + "\n    colour: red",
                "unknown field(s) [colour]");
        assertInvalid(
                "images:\n  - name: Bad Name\n    url: https://x/a\n    sha256: " + "0a".repeat(32), "lower-case");
        assertInvalid(
                "images:\n  - name: a\n    url: https://x/a\n    format: vmdk\n    sha256: " + "0a".repeat(32),
                "format must be qcow2 or raw");
        String entry = "  - name: a\n    url: https://x/a\n    sha256: " + "0a".repeat(32) + "\n";
        assertInvalid("images:\n" + entry + entry, "duplicate name 'a'");
    }

    private static void assertInvalid(String yaml, String message) {
        assertThatThrownBy(() -> ImageCatalog.parse(yaml, "test.yaml"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("test.yaml")
                .hasMessageContaining(message)
                .matches(e -> ((ProviderException) e).permanent());
    }

    @Test
    void findsDigestsInGnuAndBsdChecksumFiles() {
        String sha = "a".repeat(64);
        String other = "b".repeat(64);
        String gnu = "# comment\n" + other + " *other.img\n" + sha + " *noble.img\n";
        assertThat(ChecksumFile.find(gnu, "noble.img", "sha256")).contains(new Checksum("sha256", sha));
        assertThat(ChecksumFile.find(sha + "  ./x.qcow2\n", "x.qcow2", "sha256"))
                .contains(new Checksum("sha256", sha));

        String bsd = "# Fedora\nSHA256 (Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2) = " + sha + "\nSHA256 (other) = "
                + other + "\n";
        assertThat(ChecksumFile.find(bsd, "Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2", "sha256"))
                .contains(new Checksum("sha256", sha));

        // A "latest" link whose checksum file names the versioned build: the single entry is used.
        String rocky = "SHA256 (Rocky-9-GenericCloud-Base-9.6-20250531.0.x86_64.qcow2) = " + sha + "\n";
        assertThat(ChecksumFile.find(rocky, "Rocky-9-GenericCloud-Base.latest.x86_64.qcow2", "sha256"))
                .contains(new Checksum("sha256", sha));
        // Several entries and none matching: no guess.
        assertThat(ChecksumFile.find(gnu, "missing.img", "sha256")).isEmpty();

        String sha512 = "c".repeat(128);
        assertThat(ChecksumFile.find(
                        sha512 + "  debian-12-genericcloud-amd64.qcow2\n",
                        "debian-12-genericcloud-amd64.qcow2",
                        "sha512"))
                .contains(new Checksum("sha512", sha512));
        assertThat(ChecksumFile.find(sha512 + "  x\n", "x", "sha256")).isEmpty();
    }
}
