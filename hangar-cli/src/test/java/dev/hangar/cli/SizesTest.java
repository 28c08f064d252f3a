package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {
    @ParameterizedTest
    @CsvSource({
        "4096, 4096",
        "4GiB, 4096",
        "4gib, 4096",
        "4Gi, 4096",
        "512MiB, 512",
        "512Mi, 512",
        "' 2 GiB ', 2048",
        "1TiB, 1048576"
    })
    void memoryAcceptsPlainMiBAndBinaryUnits(String text, int mib) {
        assertThat(Sizes.memoryMiB(text)).isEqualTo(mib);
    }

    @ParameterizedTest
    @CsvSource({"16, 16", "16GiB, 16", "16Gi, 16", "1TiB, 1024", "2048MiB, 2"})
    void diskAcceptsPlainGiBAndBinaryUnits(String text, int gib) {
        assertThat(Sizes.diskGiB(text)).isEqualTo(gib);
    }

    @Test
    void decimalUnitsAreRefusedAsAmbiguous() {
        assertThatThrownBy(() -> Sizes.memoryMiB("4GB"))
                .hasMessage(
                        "memory '4GB': unit 'GB' is not accepted; use MiB or GiB (powers of 1024), e.g. 4096 (MiB) or 4GiB");
        assertThatThrownBy(() -> Sizes.diskGiB("10G")).hasMessageContaining("unit 'G' is not accepted");
    }

    @Test
    void fractionsAskForASmallerUnit() {
        assertThatThrownBy(() -> Sizes.memoryMiB("1.5GiB"))
                .hasMessage(
                        "memory '1.5GiB' must be a whole number; write a smaller unit instead, e.g. 1536MiB for 1.5GiB");
    }

    @Test
    void diskMustBeWholeGiB() {
        assertThatThrownBy(() -> Sizes.diskGiB("1536MiB"))
                .hasMessage("disk '1536MiB' is not a whole number of GiB; write e.g. 16 or 16GiB");
    }

    @Test
    void rejectsZeroGarbageUnknownUnitsAndOverflow() {
        assertThatThrownBy(() -> Sizes.memoryMiB("0"))
                .hasMessage("memory must be positive; write e.g. 4096 (MiB) or 4GiB");
        assertThatThrownBy(() -> Sizes.memoryMiB("-1"))
                .hasMessage("memory '-1' is not a size; write e.g. 4096 (MiB) or 4GiB");
        assertThatThrownBy(() -> Sizes.memoryMiB("lots")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Sizes.memoryMiB("4PiB"))
                .hasMessage("memory '4PiB': unknown unit 'PiB'; use MiB or GiB, e.g. 4096 (MiB) or 4GiB");
        assertThatThrownBy(() -> Sizes.memoryMiB("4096TiB")).hasMessage("memory '4096TiB' is too large");
        assertThatThrownBy(() -> Sizes.diskGiB("99999999999")).hasMessage("disk '99999999999' is too large");
    }

    @Test
    void formatsWithTheLargestExactUnit() {
        assertThat(Sizes.formatMiB(4096)).isEqualTo("4GiB");
        assertThat(Sizes.formatMiB(1536)).isEqualTo("1536MiB");
        assertThat(Sizes.formatMiB(1024 * 1024)).isEqualTo("1TiB");
        assertThat(Sizes.formatGiB(16)).isEqualTo("16GiB");
        assertThat(Sizes.formatGiB(2048)).isEqualTo("2TiB");
    }

    @Test
    void formattedSizesParseBackToTheSameValue() {
        for (int mib : new int[] {1, 512, 1000, 1024, 1536, 4096, 65536, 1024 * 1024}) {
            assertThat(Sizes.memoryMiB(Sizes.formatMiB(mib))).isEqualTo(mib);
        }
        for (int gib : new int[] {1, 16, 1000, 1024, 4096}) {
            assertThat(Sizes.diskGiB(Sizes.formatGiB(gib))).isEqualTo(gib);
        }
    }
}
