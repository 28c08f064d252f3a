package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitCodesTest {
    @Test
    void mapsHttpStatusesToDocumentedCodes() {
        assertThat(ExitCodes.forHttpStatus(400)).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(ExitCodes.forHttpStatus(413)).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(ExitCodes.forHttpStatus(415)).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(ExitCodes.forHttpStatus(422)).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(ExitCodes.forHttpStatus(431)).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(ExitCodes.forHttpStatus(401)).isEqualTo(ExitCodes.AUTH);
        assertThat(ExitCodes.forHttpStatus(403)).isEqualTo(ExitCodes.AUTH);
        assertThat(ExitCodes.forHttpStatus(404)).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(ExitCodes.forHttpStatus(409)).isEqualTo(ExitCodes.CONFLICT);
        assertThat(ExitCodes.forHttpStatus(500)).isEqualTo(ExitCodes.ERROR);
        assertThat(ExitCodes.forHttpStatus(503)).isEqualTo(ExitCodes.ERROR);
    }

    @Test
    void everyCodeIsDocumentedOnceInOrder() {
        assertThat(ExitCodes.descriptions().keySet()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
    }
}
