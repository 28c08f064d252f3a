package dev.hangar.provider.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabNetworkTest {
    private static final Map<String, String> HOSTS =
            Map.of("lab1-master-1", "10.213.4.11", "lab1-nodes-1", "10.213.4.12");

    @Test
    void aMemberHasItsAddressAndEveryMembersNameInNameOrder() {
        Map<String, String> hosts = new LinkedHashMap<>();
        hosts.put("lab1-nodes-1", "10.213.4.12");
        hosts.put("lab1-master-1", "10.213.4.11");
        LabNetwork lab = new LabNetwork("lab-7f3a", "10.213.4.11/24", hosts);

        assertThat(lab.isNone()).isFalse();
        assertThat(lab.ip()).isEqualTo("10.213.4.11");
        assertThat(lab.prefixLength()).isEqualTo(24);
        assertThat(lab.hosts().keySet()).containsExactly("lab1-master-1", "lab1-nodes-1");
        assertThatThrownBy(() -> lab.hosts().put("x", "10.0.0.1")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void noneIsOnNoLab() {
        assertThat(LabNetwork.NONE.isNone()).isTrue();
        assertThat(LabNetwork.NONE.hosts()).isEmpty();
        assertThat(new LabNetwork("", "", Map.of())).isEqualTo(LabNetwork.NONE);
        assertThatThrownBy(LabNetwork.NONE::ip).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new LabNetwork("", "10.0.0.1/24", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LabNetwork.NONE");
    }

    @Test
    void theAddressMustBeIpv4Cidr() {
        for (String bad : List.of(
                "10.213.4.11",
                "10.213.4.11/",
                "10.213.4.11/0",
                "10.213.4.11/33",
                "10.213.4.256/24",
                "10.213.4/24",
                "fd00::1/64",
                "host/24",
                "10.213.4.11/24 ",
                "010.213.4.11/2x")) {
            assertThatThrownBy(() -> new LabNetwork("seg", bad, HOSTS))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lab address");
        }
        assertThat(new LabNetwork("seg", "192.168.77.1/32", HOSTS).prefixLength())
                .isEqualTo(32);
        assertThat(new LabNetwork("seg", "10.0.0.1/8", HOSTS).prefixLength()).isEqualTo(8);
    }

    @Test
    void hostsMapDnsNamesToIpv4Addresses() {
        assertThatThrownBy(() -> new LabNetwork("seg", "10.213.4.11/24", Map.of("a", "10.213.4.300")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host a")
                .hasMessageContaining("10.213.4.300");
        assertThatThrownBy(() -> new LabNetwork("seg", "10.213.4.11/24", Map.of("a", "10.213.4.11/24")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dotted-quad");
        // a name goes into /etc/hosts: whitespace or a line break would add entries
        for (String bad : List.of("a b", "a\n10.0.0.9 evil", "-a", "a-", "a..b", "", "a".repeat(64))) {
            assertThatThrownBy(() -> new LabNetwork("seg", "10.213.4.11/24", Map.of(bad, "10.213.4.11")))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a DNS name");
        }
        assertThat(new LabNetwork("seg", "10.213.4.11/24", Map.of("master.lab1.example", "10.213.4.11")).hosts())
                .containsOnlyKeys("master.lab1.example");
        assertThatThrownBy(() -> new LabNetwork("seg", "10.213.4.11/24", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least this member");
    }

    @Test
    void theSegmentIsPrintableWithoutSpaces() {
        assertThatThrownBy(() -> new LabNetwork("my lab", "10.213.4.11/24", HOSTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'my lab'");
        assertThat(new LabNetwork("lab:0b7c3c1e-0000-4000-8000-000000000001", "10.213.4.11/24", HOSTS).segment())
                .isEqualTo("lab:0b7c3c1e-0000-4000-8000-000000000001");
    }

    @Test
    void theSpecsCompatibilityConstructorMeansNoLabAndTheWitherSetsOne() {
        SshHostKey key = new SshHostKey("ssh-ed25519", "private", "ssh-ed25519 AAAA");
        WorkspaceSpec spec = new WorkspaceSpec(
                "id-1",
                "lab1-master-1",
                "alice",
                "vm",
                Resources.DEFAULTS,
                "debian-12",
                "alice",
                List.of(),
                key,
                "ssh-ed25519-cert-v01@openssh.com AAAA",
                CloudInitConfig.EMPTY,
                Map.of());
        assertThat(spec.labNetwork()).isSameAs(LabNetwork.NONE);

        LabNetwork lab = new LabNetwork("seg", "10.213.4.11/24", HOSTS);
        WorkspaceSpec member = spec.withLabNetwork(lab);
        assertThat(member.labNetwork()).isEqualTo(lab);
        assertThat(member.withLabNetwork(LabNetwork.NONE)).isEqualTo(spec);
        assertThatThrownBy(() -> spec.withLabNetwork(null)).isInstanceOf(NullPointerException.class);
    }
}
