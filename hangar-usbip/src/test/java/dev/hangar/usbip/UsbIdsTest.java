package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsbIdsTest {

    /** A slice in the real file's format, including the traps: comments, interface lines, classes. */
    private static final String SAMPLE = """
            #
            #\tList of USB ID's
            # Version: 2025.07.26

            # Syntax:
            # vendor  vendor_name
            #\tdevice  device_name\t\t\t\t<-- single tab
            0483  STMicroelectronics
            \t3744  ST-LINK
            \t3748  ST-LINK/V2
            \t\t0000  an interface line that must be ignored
            1366  SEGGER
            \t0105  J-Link
            2341  Arduino SA
            \t0043  Uno R3 (CDC ACM)

            # List of known device classes, subclasses and protocols
            C 00  (Defined at Interface level)
            C 08  Mass Storage
            \t06  SCSI
            \t\t50  Bulk-Only
            C ff  Vendor Specific Class

            # List of languages
            L 0409  English
            \t01  United States
            """;

    @Test
    void readsVendorsProductsAndClasses(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("usb.ids"), SAMPLE);
        UsbIds ids = UsbIds.of(file);

        assertThat(ids.vendorName(0x0483)).contains("STMicroelectronics");
        assertThat(ids.productName(new VidPid(0x0483, 0x3748))).contains("ST-LINK/V2");
        assertThat(ids.productName(new VidPid(0x2341, 0x0043))).contains("Uno R3 (CDC ACM)");
        assertThat(ids.productName(new VidPid(0x0483, 0x0000)))
                .as("interface lines are not products")
                .isEmpty();
        assertThat(ids.productName(new VidPid(0x1366, 0x3748)))
                .as("products belong to their vendor")
                .isEmpty();
        assertThat(ids.className(0x08)).contains("Mass Storage");
        assertThat(ids.subclassName(0x08, 0x06)).contains("SCSI");
        assertThat(ids.className(0xff)).contains("Vendor Specific Class");
        assertThat(ids.subclassName(0xff, 0x01))
                .as("language section is not a class section")
                .isEmpty();
        assertThat(ids.source()).contains(file);
    }

    @Test
    void describePrefersNamesAndFallsBackToHex(@TempDir Path dir) throws IOException {
        UsbIds ids = UsbIds.of(Files.writeString(dir.resolve("usb.ids"), SAMPLE));

        assertThat(ids.describe(new VidPid(0x0483, 0x3748))).isEqualTo("STMicroelectronics : ST-LINK/V2");
        assertThat(ids.describe(new VidPid(0x0483, 0x374e))).isEqualTo("STMicroelectronics : unknown product 374e");
        assertThat(ids.describe(new VidPid(0xfffe, 0x0001))).isEqualTo("fffe:0001");
    }

    @Test
    void absentFileMeansHexIdsOnly(@TempDir Path dir) {
        UsbIds ids = UsbIds.fromFirstExisting(List.of(dir.resolve("nope"), dir.resolve("neither")));

        assertThat(ids.source()).isEmpty();
        assertThat(ids.vendorName(0x0483)).isEmpty();
        assertThat(ids.describe(new VidPid(0x0483, 0x3748))).isEqualTo("0483:3748");
    }

    @Test
    void loadsLazilyOnFirstLookup(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("usb.ids");
        UsbIds ids = UsbIds.of(file); // nothing there yet: construction must not read

        Files.writeString(file, SAMPLE);

        assertThat(ids.vendorName(0x1366)).contains("SEGGER");
    }

    @Test
    void toleratesBytesThatAreNotUtf8(@TempDir Path dir) throws IOException {
        byte[] latin1 = "abcd  Soci\u00e9t\u00e9\n\t0001  Produit\n".getBytes(StandardCharsets.ISO_8859_1);
        UsbIds ids = UsbIds.of(Files.write(dir.resolve("usb.ids"), latin1));

        assertThat(ids.vendorName(0xabcd)).get().asString().startsWith("Soci");
        assertThat(ids.productName(new VidPid(0xabcd, 0x0001))).contains("Produit");
    }

    @Test
    void systemDatabaseNamesTheStLinkWhenInstalled() {
        UsbIds ids = UsbIds.system();
        Assumptions.assumeTrue(
                ids.source().isPresent(),
                "no usb.ids in " + UsbIds.DEFAULT_LOCATIONS + "; apt-get install usbutils (or hwdata) to run this");

        assertThat(ids.describe(new VidPid(0x0483, 0x3748))).isEqualTo("STMicroelectronics : ST-LINK/V2");
        assertThat(ids.className(0x08)).contains("Mass Storage");
    }
}
