package dev.hangar.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void acceptsAndRefusesTheDocumentedExamples() {
        for (String ok : new String[] {"a", "fw-dev", "0", "a1-b2", "x".repeat(63)})
            assertThat(Names.isDns1123Label(ok)).as(ok).isTrue();
        for (String bad : new String[] {"", "-a", "a-", "Fw", "fw_dev", "fw.dev", "x".repeat(64), "é", "a b"}) {
            assertThat(Names.isDns1123Label(bad)).as(bad).isFalse();
        }
    }

    @Test
    void errorsNameTheFieldAndTheRule() {
        assertThatThrownBy(() -> Names.requireDns1123Label("name", "Fw_Dev"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("DNS-1123")
                .hasMessageContaining("fw-dev")
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("name");
        assertThatThrownBy(() -> Names.requireDns1123Label("name", "a".repeat(64)))
                .hasMessageContaining("at most 63");
        assertThatThrownBy(() -> Names.requireDns1123Label("name", "")).hasMessageContaining("required");
    }

    @Property
    void everyGeneratedLabelIsAccepted(@ForAll("labels") String label) {
        assertThat(Names.requireDns1123Label("name", label)).isEqualTo(label);
    }

    @Property
    void anyStringIsEitherAValidLabelOrAValidationError(@ForAll String s) {
        boolean valid = s.length() >= 1 && s.length() <= 63 && s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(Names.isDns1123Label(s)).isEqualTo(valid);
        if (!valid) {
            assertThatThrownBy(() -> Names.requireDns1123Label("name", s)).isInstanceOf(ValidationException.class);
        }
    }

    @Provide
    Arbitrary<String> labels() {
        Arbitrary<String> edge = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofLength(1);
        Arbitrary<String> middle = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
                .ofMaxLength(61);
        return net.jqwik.api.Combinators.combine(edge, middle, edge)
                .as((a, m, b) -> m.isEmpty() && a.equals(b) ? a : a + m + b);
    }
}
