package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VidPidAllowListTest {

    @Test
    void exactEntryAllowsOnlyThatDevice() {
        VidPidAllowList list = VidPidAllowList.parse("0483:3748");

        assertThat(list.allows(0x0483, 0x3748)).isTrue();
        assertThat(list.allows(0x0483, 0x374b)).isFalse();
        assertThat(list.allows(0x1366, 0x3748)).isFalse();
    }

    @Test
    void vendorWildcardAllowsEveryProductOfThatVendor() {
        VidPidAllowList list = VidPidAllowList.of(List.of("0483:*", "1366:0105"));

        assertThat(list.allows(0x0483, 0x3748)).isTrue();
        assertThat(list.allows(0x0483, 0x374b)).isTrue();
        assertThat(list.allows(0x1366, 0x0105)).isTrue();
        assertThat(list.allows(0x1366, 0x0101)).isFalse();
        assertThat(list.allows(new VidPid(0x2341, 0x0043))).isFalse();
    }

    @Test
    void parsesSeparatorsAndCaseAndCanonicalises() {
        VidPidAllowList list = VidPidAllowList.parse("  0483:374B,1366:*   2341:0043 ,, ");

        assertThat(list.entries()).containsExactly("0483:374b", "1366:*", "2341:0043");
        assertThat(list).isEqualTo(VidPidAllowList.of(List.of("0483:374b", "1366:*", "2341:0043")));
        assertThat(list).hasToString("0483:374b,1366:*,2341:0043");
    }

    @Test
    void emptyAllowsNothingAndStarStarAllowsEverything() {
        assertThat(VidPidAllowList.parse(" ").allows(0x0483, 0x3748)).isFalse();
        assertThat(VidPidAllowList.denyAll().allows(0, 0)).isFalse();
        assertThat(VidPidAllowList.parse("*:*").allows(0xffff, 0xffff)).isTrue();
        assertThat(VidPidAllowList.allowAll()).isEqualTo(VidPidAllowList.parse("*:*"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"483:3748", "0483-3748", "0483:37489", "gggg:0001", "0483", "0483:", ":3748", "0x0483:0x3748"})
    void rejectsMalformedEntriesWithTheirPosition(String bad) {
        assertThatThrownBy(() -> VidPidAllowList.of(List.of("0483:3748", bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "USB allow-list entry 2 '" + bad + "' is invalid: expected VENDOR:PRODUCT with 4"
                                + " hex digits each (e.g. 0483:3748 for an ST-Link/V2), VENDOR:* for every product of a"
                                + " vendor (e.g. 0483:*), or *:* for any device");
    }

    @Test
    void rejectsProductWithoutVendor() {
        assertThatThrownBy(() -> VidPidAllowList.parse("*:3748"))
                .hasMessage("USB allow-list entry 1 '*:3748' is invalid: a product id means nothing without its vendor;"
                        + " write VENDOR:3748 or *:*");
    }

    @Test
    void checkExplainsTheRefusal() {
        VidPidAllowList list = VidPidAllowList.parse("1366:*");

        assertThatNoException().isThrownBy(() -> list.check(new VidPid(0x1366, 0x0105)));
        assertThatThrownBy(() -> list.check(VidPid.parse("0483:3748")))
                .isInstanceOf(UsbipException.class)
                .hasMessage("USB device 0483:3748 is not allowed in this workspace (allow-list: [1366:*]); ask an"
                        + " administrator to add 0483:3748 or 0483:* to the template's USB allow-list");
    }

    @Test
    void vidPidParsesAndPrintsLikeLsusb() {
        assertThat(VidPid.parse("0483:3748")).isEqualTo(new VidPid(0x0483, 0x3748));
        assertThat(new VidPid(0x483, 0xa)).hasToString("0483:000a");
        assertThatThrownBy(() -> VidPid.parse("0483:37"))
                .hasMessage("invalid USB id '0483:37': expected VENDOR:PRODUCT as 4 hex digits each, e.g. 0483:3748"
                        + " (as printed by lsusb)");
    }
}
