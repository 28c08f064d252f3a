package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BusIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"1-3", "1-1.2", "3-2.4.1", "12-10", "1-1.2.3.4.5.6", "usbip-vudc.0"})
    void acceptsLinuxAndUsbipdWinBusIds(String id) {
        assertThat(BusId.parse(" " + id + "\n").value()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1",
                "1-",
                "0-1",
                "1-0",
                "1-3:1.0",
                "1-1.2.3.4.5.6.7",
                "1-3; rm -rf ~",
                "1-3 && reboot",
                "$(reboot)",
                "`id`",
                "1-3'",
                "1-3\n2-1",
                "-b",
                "1-1..2",
                "usb1"
            })
    void refusesAnythingElseIncludingShellSyntax(String bad) {
        assertThatThrownBy(() -> new BusId(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid USB bus id '")
                .hasMessageEndingWith(": expected BUS-PORT[.PORT...] such as 1-3, 1-1.2 or 3-2.4.1 (see `usbip list"
                        + " -l` on Linux or `usbipd list` on Windows)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1-3\u001b[2J"})
    void escapesControlCharactersInTheMessage(String bad) {
        assertThatThrownBy(() -> new BusId(bad)).hasMessageStartingWith("invalid USB bus id '1-3\\u001b[2J'");
    }
}
