package dev.hangar.core.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsbPolicyTest {
    private static Template template(String allow) {
        return TemplateCatalog.parse(
                "t.yaml",
                ("name: fw\nprovider: qemu\nimage: debian-12\nusb: {allow: " + allow + "}\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTemplateListAllowsExactAndVendorWideEntries() {
        Template t = template("[\"0483:3748\", \"1366:*\"]");
        assertThat(UsbPolicy.decide("0483:3748", t, "ann", List.of()))
                .isEqualTo(new UsbPolicy.Decision(true, "template fw entry 0483:3748"));
        assertThat(UsbPolicy.decide("1366:0105", t, "ann", List.of()).reason()).isEqualTo("template fw entry 1366:*");
        assertThat(UsbPolicy.decide("0483:374b", t, "ann", List.of()).allowed()).isFalse();
    }

    @Test
    void theUsersOwnListAddsToTheTemplates() {
        Template t = template("[]");
        UsbPolicy.Decision d = UsbPolicy.decide("0483:374B", t, "ann", List.of("0483:*"));
        assertThat(d).isEqualTo(new UsbPolicy.Decision(true, "user ann entry 0483:*"));
    }

    @Test
    void aDenialNamesTheDeviceAndBothPlacesToAllowIt() {
        UsbPolicy.Decision d = UsbPolicy.decide("046d:c52b", template("[\"0483:*\"]"), "ann", List.of());
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason())
                .contains("046d:c52b")
                .contains("'046d:*'")
                .contains("template's usb.allow")
                .contains("ann's list in the server's usb-allow.yaml");
    }

    @Test
    void badEntriesAreRejectedWithTheirPosition() {
        assertThatThrownBy(() -> template("[\"0483:3748\", \"*:3748\"]"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("usb.allow[1] '*:3748'");
        assertThatThrownBy(() -> UsbPolicy.canonical("user", List.of("483:3748")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("VVVV:PPPP");
        assertThat(UsbPolicy.canonical("x", List.of(" 0483:ABCD ", "*:*"))).containsExactly("0483:abcd", "*:*");
    }

    @Test
    void builtInVmTemplatesAllowUsbAndInstallUsbip() {
        TemplateCatalog c = TemplateCatalog.load(Path.of("/nonexistent-hangar-templates"));
        assertThat(c.get("debian-12").usbAllow()).containsExactly("*:*");
        assertThat(c.get("debian-12").cloudInit().packages()).contains("usbip");
        assertThat(c.get("debian-12").cloudInit().runcmd())
                .containsExactly("echo vhci-hcd > /etc/modules-load.d/hangar-usbip.conf", "modprobe vhci-hcd");
        assertThat(c.get("ubuntu-24-04").cloudInit().packages()).contains("linux-tools-virtual");
        assertThat(c.get("pod").usbAllow()).isEmpty();
        assertThat(c.get("pod").description()).contains("privileged");
    }
}
