package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UsbipdAddressTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:3240, 127.0.0.1, 3240",
        "127.0.0.1, 127.0.0.1, 3240",
        "127.0.0.1:50240, 127.0.0.1, 50240",
        "pc.example.org:3240, pc.example.org, 3240",
        "localhost, localhost, 3240",
        "'[::1]:4000', ::1, 4000",
        "'[::1]', ::1, 3240",
        "::1, ::1, 3240"
    })
    void parsesTheAcceptedForms(String text, String host, int port) {
        assertThat(UsbipdAddress.parse(text)).isEqualTo(new UsbipdAddress(host, port));
    }

    @Test
    void defaultIsLoopback3240AndPrintsBackParseably() {
        assertThat(UsbipdAddress.DEFAULT).hasToString("127.0.0.1:3240");
        assertThat(UsbipdAddress.parse("[::1]:4000")).hasToString("[::1]:4000");
        assertThat(UsbipdAddress.parse(UsbipdAddress.parse("[::1]:4000").toString()))
                .isEqualTo(new UsbipdAddress("::1", 4000));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ":3240",
                "127.0.0.1:0",
                "127.0.0.1:65536",
                "127.0.0.1:port",
                "[::1",
                "[127.0.0.1]:1",
                "a b:1",
                "host;id:1",
                "-oProxyCommand=x",
                "300.1.1.1",
                "$(id)"
            })
    void rejectsBadAddressesSayingWhatIsExpected(String bad) {
        assertThatThrownBy(() -> UsbipdAddress.parse(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid usbipd address '" + bad + "': ")
                .hasMessageEndingWith("; expected HOST[:PORT] or [IPV6][:PORT], e.g. 127.0.0.1:3240");
    }
}
