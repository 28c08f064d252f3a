package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsbDeviceSummaryTest {

    @Test
    void namesColumnsFromUsbIds(@TempDir Path dir) throws IOException {
        UsbIds names = UsbIds.of(Files.writeString(
                dir.resolve("usb.ids"),
                "0483  STMicroelectronics\n\t3748  ST-LINK/V2\nC 02  Communications\nC ff  Vendor Specific Class\n"));

        assertThat(UsbDeviceSummary.of(SpecMessages.stlink(), names))
                .isEqualTo(new UsbDeviceSummary(
                        "1-3",
                        "0483:3748",
                        "Vendor Specific Class",
                        "STMicroelectronics : ST-LINK/V2",
                        "full speed (12 Mbit/s)"));
        assertThat(UsbDeviceSummary.of(SpecMessages.arduino(), names).usbClass())
                .isEqualTo("Communications");
    }

    @Test
    void fallsBackToHexWithoutDatabase(@TempDir Path dir) {
        UsbIds none = UsbIds.of(dir.resolve("absent"));

        assertThat(UsbDeviceSummary.of(SpecMessages.arduino(), none))
                .isEqualTo(new UsbDeviceSummary("1-1.2", "2341:0043", "02", "2341:0043", "full speed (12 Mbit/s)"));
    }
}
