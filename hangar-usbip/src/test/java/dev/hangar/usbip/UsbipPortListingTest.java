package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.usbip.UsbipPortListing.ImportedPort;
import org.junit.jupiter.api.Test;

class UsbipPortListingTest {

    /**
     * Output in the format printed by usbip-utils' usbip_vhci_imported_device_dump ("Port %02d: <%s> at
     * %s", "%10s -> usbip://%s:%s/%s", ...): one device attached through a forward on port 41234, one
     * on the default port, and one whose record file could not be read.
     */
    private static final String OUTPUT = """
            Imported USB devices
            ====================
            Port 00: <Port in Use> at Full Speed(12Mbps)
                   STMicroelectronics : ST-LINK/V2 (0483:3748)
                   3-1 -> usbip://127.0.0.1:41234/1-3
                       -> remote bus/dev 001/004
            Port 01: <Port in Use> at Full Speed(12Mbps)
                   Arduino SA : Uno R3 (CDC ACM) (2341:0043)
                   3-2 -> usbip://127.0.0.1:3240/1-1.2
                       -> remote bus/dev 001/007
            Port 08: <Port in Use> at Super Speed(5000Mbps)
                   unknown vendor : unknown product (1234:5678)
                   4-1 -> unknown host, remote port and remote busid
                       -> remote bus/dev 002/003
            """;

    @Test
    void parsesEveryImportedPort() {
        assertThat(UsbipPortListing.parse(OUTPUT))
                .containsExactly(
                        new ImportedPort(0, "Port in Use", "Full Speed(12Mbps)", "usbip://127.0.0.1:41234/1-3"),
                        new ImportedPort(1, "Port in Use", "Full Speed(12Mbps)", "usbip://127.0.0.1:3240/1-1.2"),
                        new ImportedPort(8, "Port in Use", "Super Speed(5000Mbps)", ""));
    }

    @Test
    void findsThePortOfADeviceImportedThroughAForward() {
        assertThat(UsbipPortListing.find(OUTPUT, 41234, new BusId("1-3")))
                .get()
                .extracting(ImportedPort::port)
                .isEqualTo(0);
        assertThat(UsbipPortListing.find(OUTPUT, 3240, new BusId("1-3"))).isEmpty();
        assertThat(UsbipPortListing.find(OUTPUT, 3240, new BusId("1-1.2")))
                .get()
                .extracting(ImportedPort::port)
                .isEqualTo(1);
    }

    @Test
    void noImportsMeansEmpty() {
        assertThat(UsbipPortListing.parse("Imported USB devices\n====================\n"))
                .isEmpty();
        assertThat(UsbipPortListing.parse("")).isEmpty();
    }
}
