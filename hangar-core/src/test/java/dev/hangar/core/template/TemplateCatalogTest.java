package dev.hangar.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.provider.spi.Resources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCatalogTest {
    @TempDir
    Path dir;

    @Test
    void builtInTemplatesLoadWithTheSeedDefaults() {
        TemplateCatalog c = TemplateCatalog.load(dir.resolve("absent"));
        assertThat(c.all())
                .extracting(Template::name)
                .containsExactly(
                        "container",
                        "debian-12",
                        "kubevirt-debian-12",
                        "kubevirt-fedora",
                        "kubevirt-ubuntu-24-04",
                        "pod",
                        "ubuntu-24-04");
        assertThat(c.get("container").provider()).isEqualTo("docker");
        Template debian = c.get("debian-12");
        assertThat(debian.provider()).isEqualTo("qemu");
        assertThat(debian.defaults()).isEqualTo(new Resources(2, 4096, 16));
        assertThat(c.get("ubuntu-24-04").cloudInit().runcmd()).contains("modprobe vhci-hcd");
    }

    /**
     * Template names are DNS-1123 labels, image names are distro versions: a built-in VM template is
     * its image's name with '.' written as '-' (ubuntu-24-04 uses ubuntu-24.04), as README says.
     */
    @Test
    void builtInVmTemplatesAreNamedAfterTheirImage() {
        TemplateCatalog c = TemplateCatalog.load(dir.resolve("absent"));
        assertThat(c.all())
                .filteredOn(t -> t.provider().equals("qemu"))
                .extracting(Template::name, Template::image)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("debian-12", "debian-12"),
                        org.assertj.core.groups.Tuple.tuple("ubuntu-24-04", "ubuntu-24.04"));
        assertThat(c.all())
                .filteredOn(t -> t.provider().equals("qemu"))
                .allSatisfy(t -> assertThat(t.name()).isEqualTo(t.image().replace('.', '-')));
    }

    /**
     * The KubeVirt templates boot the same catalog images as the local VM templates (one catalog), with
     * seed 004's defaults: 2 CPUs, 4 GiB, a 16 GiB root disk.
     */
    @Test
    void builtInKubevirtTemplatesUseTheCatalogImagesWithTheSeedDefaults() {
        TemplateCatalog c = TemplateCatalog.load(dir.resolve("absent"));
        assertThat(c.all())
                .filteredOn(t -> t.provider().equals("kubevirt"))
                .extracting(Template::name, Template::image)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("kubevirt-debian-12", "debian-12"),
                        org.assertj.core.groups.Tuple.tuple("kubevirt-fedora", "fedora-42"),
                        org.assertj.core.groups.Tuple.tuple("kubevirt-ubuntu-24-04", "ubuntu-24.04"));
        assertThat(c.all()).filteredOn(t -> t.provider().equals("kubevirt")).allSatisfy(t -> {
            assertThat(t.defaults()).isEqualTo(new Resources(2, 4096, 16));
            assertThat(t.name()).startsWith("kubevirt-");
            assertThat(t.settings()).isEmpty();
        });
    }

    @Test
    void aFileOverridesABuiltInAndAddsNewOnes() throws Exception {
        Files.writeString(
                dir.resolve("debian-12.yaml"),
                "name: debian-12\nprovider: qemu\nimage: debian-12\ndefaults: {cpus: 4}\n");
        Files.writeString(
                dir.resolve("lab.yaml"), "name: lab\nprovider: qemu\nimage: debian-12\nsettings: {accelerator: tcg}\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        TemplateCatalog c = TemplateCatalog.load(dir);
        assertThat(c.get("debian-12").defaults()).isEqualTo(new Resources(4, 4096, 16));
        assertThat(c.get("lab").settings()).containsEntry("accelerator", "tcg");
    }

    @Test
    void unknownFieldIsReportedWithFileAndField() {
        assertThatThrownBy(() -> TemplateCatalog.parse(
                        "t.yaml", bytes("name: a\nprovider: qemu\nimage: i\ndefualts: {cpus: 1}\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("t.yaml")
                .hasMessageContaining("defualts");
    }

    @Test
    void badValuesAreReportedWithTheField() {
        assertThatThrownBy(() -> TemplateCatalog.parse("t.yaml", bytes("name: Bad_Name\nprovider: qemu\nimage: i\n")))
                .hasMessageContaining("DNS-1123");
        assertThatThrownBy(
                        () -> TemplateCatalog.parse(
                                "t.yaml",
                                bytes(
                                        "name: a\nprovider: qemu\nimage: i\ndefaults: {cpus: 99}\nlimits: {cpus: {min: 1, max: 8}}\n")))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("defaults.cpus"))
                .hasMessageContaining("1..8");
        assertThatThrownBy(() -> TemplateCatalog.parse("t.yaml", bytes("name: a\nimage: i\n")))
                .hasMessageContaining("provider");
        assertThatThrownBy(() -> TemplateCatalog.parse("t.yaml", bytes("name: [unclosed\n")))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> TemplateCatalog.parse(
                        "t.yaml", bytes("name: a\nprovider: qemu\nimage: i\nlimits: {cpus: {min: 5, max: 1}}\n")))
                .hasMessageContaining("above max");
        assertThatThrownBy(() -> TemplateCatalog.parse("t.yaml", bytes(""))).hasMessageContaining("empty");
    }

    @Test
    void unknownTemplateListsTheKnownOnes() {
        TemplateCatalog c = TemplateCatalog.load(dir);
        assertThatThrownBy(() -> c.get("nope"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("debian-12");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
