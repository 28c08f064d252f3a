package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.usbip.VhciStatus.Port;
import org.junit.jupiter.api.Test;

class VhciStatusTest {
    /**
     * {@code cat /sys/devices/platform/vhci_hcd.0/status*} in a Debian 12 guest (kernel 6.1) with the
     * QEMU usb-storage disk (46f4:0001, remote bus 2 device 2) imported on port 15; ports 1-14 and the
     * other seven controllers' tables shortened.
     */
    private static final String ATTACHED = """
            hub port sta spd dev      sockfd local_busid
            hs  0000 004 000 00000000 000000 0-0
            hs  0007 004 000 00000000 000000 0-0
            ss  0008 004 000 00000000 000000 0-0
            ss  0015 006 005 00020002 000003 2-1
            hub port sta spd dev      sockfd local_busid
            hs  0016 004 000 00000000 000000 0-0
            hub port sta spd dev      sockfd local_busid
            """;

    private static final Port IMPORTED = new Port("ss", 15, VhciStatus.IN_USE, 5, "00020002", 3, "2-1");

    @Test
    void parsesEveryPortOfEveryController() {
        assertThat(VhciStatus.parse(ATTACHED))
                .hasSize(5)
                .contains(IMPORTED, new Port("hs", 16, 4, 0, "00000000", 0, "0-0"));
        assertThat(VhciStatus.find(ATTACHED, 15)).contains(IMPORTED);
        assertThat(IMPORTED.inUse()).isTrue();
        assertThat(VhciStatus.find(ATTACHED, 0)).get().extracting(Port::inUse).isEqualTo(false);
    }

    @Test
    void noVhciHcdMeansNoPorts() {
        assertThat(VhciStatus.parse("")).isEmpty();
        assertThat(VhciStatus.parse("cat: '/sys/devices/platform/vhci_hcd.0/status*': No such file or directory"))
                .isEmpty();
        assertThat(VhciStatus.find("", 15)).isEmpty();
    }

    @Test
    void anImportIsUnchangedOnlyWhileItsLineIsTheSame() {
        assertThat(VhciStatus.unchanged(IMPORTED, ATTACHED)).isTrue();
        // the device reset on the PC: the kernel dropped the import
        assertThat(VhciStatus.unchanged(
                        IMPORTED,
                        ATTACHED.replace(
                                "ss  0015 006 005 00020002 000003 2-1", "ss  0015 004 000 00000000 000000 0-0")))
                .isFalse();
        // re-plugged and imported again on the same port: another device number, another socket
        assertThat(VhciStatus.unchanged(IMPORTED, ATTACHED.replace("00020002 000003", "00020003 000004")))
                .isFalse();
        // the status files could not be read
        assertThat(VhciStatus.unchanged(IMPORTED, "")).isFalse();
        // a port that was free when seen is never "still attached"
        Port free = new Port("hs", 0, 4, 0, "00000000", 0, "0-0");
        assertThat(VhciStatus.unchanged(free, ATTACHED)).isFalse();
    }
}
