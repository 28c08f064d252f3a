package dev.hangar.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each refusal says what is wrong and what to do; good values come back parsed. */
class InputsTest {
    @TempDir
    Path dir;

    @Test
    void hostnames() {
        assertThat(Inputs.hostname("--hostname", "bee42-crew-01-001")).isEqualTo("bee42-crew-01-001");
        assertThat(Inputs.hostname("--hostname", "a".repeat(63))).hasSize(63);
        assertThatThrownBy(() -> Inputs.hostname("--hostname", "pi_1"))
                .hasMessage("--hostname 'pi_1' is not a valid host name (RFC 1123): use 1 to 63 letters, digits and"
                        + " hyphens, not starting or ending with a hyphen");
        assertThatThrownBy(() -> Inputs.hostname("--hostname", "-pi")).hasMessageContaining("not a valid host name");
        assertThatThrownBy(() -> Inputs.hostname("--hostname", "a".repeat(64))).hasMessageContaining("1 to 63");
        assertThatThrownBy(() -> Inputs.hostname("--hostname", "pi.local"))
                .hasMessage("--hostname 'pi.local': give the host name without a domain, e.g. 'pi' (mDNS adds .local)");
    }

    @Test
    void users() {
        assertThat(Inputs.userName("--user", "pirate")).isEqualTo("pirate");
        assertThatThrownBy(() -> Inputs.userName("--user", "root"))
                .hasMessage("--user 'root': give an ordinary user; it gets sudo");
        assertThatThrownBy(() -> Inputs.userName("--user", "Pirate")).hasMessageContaining("lower-case");
    }

    @Test
    void addresses() {
        assertThat(Inputs.cidr("--address", "192.168.0.11/24"))
                .isEqualTo(new Cidr(InetAddress.ofLiteral("192.168.0.11"), 24));
        assertThat(Inputs.cidr("--address", "fd00::11/64").prefix()).isEqualTo(64);
        assertThatThrownBy(() -> Inputs.cidr("--address", "192.168.0.11"))
                .hasMessage("--address '192.168.0.11' has no prefix length: give the board's address with its prefix"
                        + " length, e.g. 192.168.0.11/24");
        assertThatThrownBy(() -> Inputs.cidr("--address", "192.168.0.300/24"))
                .hasMessageContaining("not an address/prefix");
        assertThatThrownBy(() -> Inputs.cidr("--address", "192.168.0.11/33")).hasMessageContaining("must be 1 to 32");
        assertThatThrownBy(() -> Inputs.ipAddress("--gateway", "router.lan"))
                .hasMessage(
                        "--gateway 'router.lan' is not an IP address: give e.g. 192.168.0.1 (a name is not accepted)");
        assertThatThrownBy(() -> new BoardNetwork.StaticAddress(
                        Inputs.cidr("--address", "192.168.0.11/24"), InetAddress.ofLiteral("10.0.0.1"), List.of()))
                .hasMessage("--gateway 10.0.0.1 is not in the subnet of 192.168.0.11/24; give the router's address in"
                        + " that subnet");
    }

    @Test
    void addressesCountUpInsideTheSubnet() {
        Cidr c = Inputs.cidr("--address", "192.168.0.250/24");
        assertThat(c.plus(4).toString()).isEqualTo("192.168.0.254/24");
        assertThatThrownBy(() -> c.plus(5))
                .hasMessage("address 192.168.0.250/24 plus 5 leaves the subnet /24; start lower or use fewer boards");
    }

    @Test
    void publicKeys() throws Exception {
        Path pub = CloudInitTools.newPublicKey(dir, "id_test");
        assertThat(Inputs.publicKeys("--key", pub))
                .containsExactly(Files.readString(pub).strip());
        Path priv = dir.resolve("id_test");
        assertThatThrownBy(() -> Inputs.publicKeys("--key", priv))
                .hasMessage("--key " + priv + " is a private key; give the public key (the .pub file next to it)");
        Path junk = Files.writeString(dir.resolve("junk.pub"), "ssh-ed25519 bm90IGEga2V5 me@host\n");
        assertThatThrownBy(() -> Inputs.publicKeys("--key", junk))
                .hasMessage("--key " + junk + " line 1 is not an OpenSSH public key ('ssh-ed25519 AAAA... comment');"
                        + " give the .pub file");
        Path empty = Files.writeString(dir.resolve("empty.pub"), "# nothing\n\n");
        assertThatThrownBy(() -> Inputs.publicKeys("--key", empty)).hasMessageContaining("holds no public key");
        assertThatThrownBy(() -> Inputs.publicKeys("--key", dir.resolve("nope.pub")))
                .hasMessageContaining("no such file");
    }

    @Test
    void wifiPassphrasesAreCheckedWithoutBeingShown() throws Exception {
        Path ok = Files.writeString(dir.resolve("psk"), "correct horse battery\n");
        assertThat(Inputs.wifiPsk("--wifi-psk-file", ok)).isEqualTo("correct horse battery");
        Path hex = Files.writeString(dir.resolve("hex"), "ab".repeat(32));
        assertThat(Inputs.wifiPsk("--wifi-psk-file", hex)).hasSize(64);
        Path shortPsk = Files.writeString(dir.resolve("short"), "s3cret\n");
        assertThatThrownBy(() -> Inputs.wifiPsk("--wifi-psk-file", shortPsk))
                .hasMessage("--wifi-psk-file " + shortPsk + ": the passphrase has 6 characters; WPA2 needs 8 to 63"
                        + " printable ASCII characters or 64 hex digits")
                .message()
                .doesNotContain("s3cret");
        Path twoLines = Files.writeString(dir.resolve("two"), "one line\nanother\n");
        assertThatThrownBy(() -> Inputs.wifiPsk("--wifi-psk-file", twoLines)).hasMessageContaining("it has 2 lines");
        assertThat(Inputs.wifiCountry("--wifi-country", "de")).isEqualTo("DE");
        assertThatThrownBy(() -> Inputs.wifiCountry("--wifi-country", "Germany"))
                .hasMessage("--wifi-country 'Germany': give the two-letter country code (ISO 3166-1), e.g. DE or GB");
        assertThatThrownBy(() -> Inputs.wifiSsid("--wifi-ssid", "x".repeat(33)))
                .hasMessageContaining("has 33 bytes; a Wi-Fi network name has 1 to 32");
    }

    @Test
    void passwordHashes() throws Exception {
        Path good = Files.writeString(dir.resolve("hash"), PasswordHashes.unguessable() + "\n");
        assertThat(Inputs.passwordHash("--password-hash-file", good)).startsWith("$6$");
        Path plain = Files.writeString(dir.resolve("plain"), "hunter2\n");
        assertThatThrownBy(() -> Inputs.passwordHash("--password-hash-file", plain))
                .hasMessage("--password-hash-file " + plain + " does not hold a password hash; write one with"
                        + " 'mkpasswd -m sha-512' or 'openssl passwd -6' (a plain password is not accepted)");
    }
}
