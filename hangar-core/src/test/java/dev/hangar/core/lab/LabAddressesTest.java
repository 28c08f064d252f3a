package dev.hangar.core.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ConflictException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Carving {@code labs.subnet} into /24s and the members' addresses in one. */
class LabAddressesTest {

    @Test
    void theLowestFreeSlash24IsTaken() {
        LabAddresses a = LabAddresses.parse("10.213.0.0/16");
        assertThat(a.capacity()).isEqualTo(256);
        assertThat(a.nextSubnet(Set.of())).isEqualTo("10.213.0.0/24");
        assertThat(a.nextSubnet(Set.of("10.213.0.0/24", "10.213.2.0/24"))).isEqualTo("10.213.1.0/24");
        assertThat(LabAddresses.parse("172.16.0.0/12").nextSubnet(Set.of("172.16.0.0/24")))
                .isEqualTo("172.16.1.0/24");
        assertThat(LabAddresses.parse("10.9.0.0/23").nextSubnet(Set.of("10.9.0.0/24")))
                .isEqualTo("10.9.1.0/24");
    }

    @Test
    void aFullNetworkIsAConflictOnSubnet() {
        LabAddresses one = LabAddresses.parse("192.168.7.0/24");
        assertThat(one.capacity()).isEqualTo(1);
        assertThatThrownBy(() -> one.nextSubnet(Set.of("192.168.7.0/24")))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.field()).isEqualTo("subnet"))
                .hasMessageContaining("labs.subnet");
    }

    @Test
    void membersGetDot11Upward() {
        assertThat(LabAddresses.memberAddresses("10.213.4.0/24", 3))
                .containsExactly("10.213.4.11", "10.213.4.12", "10.213.4.13");
        assertThat(LabAddresses.memberAddresses("10.213.4.0/24", LabAddresses.MAX_MEMBERS))
                .endsWith("10.213.4.254");
        assertThatThrownBy(() -> LabAddresses.memberAddresses("10.213.4.0/24", LabAddresses.MAX_MEMBERS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badNetworksAreRefusedSayingWhy() {
        assertThatThrownBy(() -> LabAddresses.parse("10.213.0.0")).hasMessageContaining("10.213.0.0/16");
        assertThatThrownBy(() -> LabAddresses.parse("10.213.0.0/25")).hasMessageContaining("8..24");
        assertThatThrownBy(() -> LabAddresses.parse("10.213.0.0/4")).hasMessageContaining("8..24");
        assertThatThrownBy(() -> LabAddresses.parse("10.213.1.0/16")).hasMessageContaining("10.213.0.0/16");
        assertThatThrownBy(() -> LabAddresses.parse("300.1.0.0/16")).hasMessageContaining("255");
        assertThat(LabAddresses.parse(" 10.213.0.0/16 ")).isEqualTo(LabAddresses.parse("10.213.0.0/16"));
    }
}
