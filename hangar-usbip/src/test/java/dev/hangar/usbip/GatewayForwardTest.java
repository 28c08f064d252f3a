package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayForwardTest {
    @Test
    void theForwardNamesTheWorkspaceOnTheGatewayAndTheGuestAttachesFromTheGuestForwardAddress() {
        GatewayForward own = new GatewayForward("fw-dev", "", UsbipdAddress.DEFAULT);
        assertThat(own.openSshArguments())
                .containsExactly("-o", "ExitOnForwardFailure=yes", "-R", "fw-dev.usbip:3240:127.0.0.1:3240");
        assertThat(new GatewayForward("fw-dev", "ann", UsbipdAddress.parse("[::1]:3241")).openSshSpec())
                .isEqualTo("fw-dev.ann.usbip:3240:[::1]:3241");
        assertThat(UsbipCommands.attach(GatewayForward.GUEST_HOST, GatewayForward.GUEST_PORT, BusId.parse("1-3"))
                        .argv())
                .isEqualTo(List.of("usbip", "--tcp-port", "3240", "attach", "-r", "10.0.2.100", "-b", "1-3"));
    }

    @Test
    void namesThatAreNoDnsLabelsAndHostsThatAreNoIpv4LiteralsAreRefused() {
        assertThatThrownBy(() -> new GatewayForward("a:b", "", UsbipdAddress.DEFAULT))
                .hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> new GatewayForward("dev", "A B", UsbipdAddress.DEFAULT))
                .hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> UsbipCommands.attach("host; rm -rf /", 3240, BusId.parse("1-3")))
                .hasMessageContaining("IPv4 literal");
    }

    @Test
    void theImportIsFoundByTheAddressItCameFrom() {
        String out = """
                Imported USB devices
                ====================
                Port 00: <Port in Use> at High Speed(480Mbps)
                       unknown vendor : unknown product (46f4:0001)
                       3-1 -> usbip://10.0.2.100:3240/1-1
                           -> remote bus/dev 001/002
                """;
        assertThat(UsbipPortListing.find(out, GatewayForward.GUEST_HOST, 3240, BusId.parse("1-1")))
                .hasValueSatisfying(p -> assertThat(p.port()).isZero());
        assertThat(UsbipPortListing.find(out, 3240, BusId.parse("1-1"))).isEmpty();
    }
}
