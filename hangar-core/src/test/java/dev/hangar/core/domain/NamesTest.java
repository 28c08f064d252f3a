package dev.hangar.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.testfixtures.Generators;
import dev.hangar.testfixtures.SeededCases;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

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

    /** Labels built like the rule: an alphanumeric first and last character around up to 61 of [-a-z0-9]. */
    @TestFactory
    Stream<DynamicTest> everyGeneratedLabelIsAccepted() {
        return SeededCases.of(
                "every generated label is accepted",
                1000,
                List.of("a", "0", "a-b", "a--b", "x".repeat(63), "a" + "-".repeat(61) + "b", "9-9"),
                NamesTest::label,
                label -> assertThat(Names.requireDns1123Label("name", label)).isEqualTo(label));
    }

    @TestFactory
    Stream<DynamicTest> anyStringIsEitherAValidLabelOrAValidationError() {
        return SeededCases.of(
                "any string is either a valid label or a validation error",
                1000,
                List.of(
                        "",
                        "-",
                        "a-",
                        "-a",
                        "A",
                        "a_b",
                        "a.b",
                        "x".repeat(63),
                        "x".repeat(64),
                        "\u0000",
                        "\u212a",
                        "a\n",
                        "\ud83d\ude00",
                        " a",
                        "a "),
                r -> r.nextInt(4) == 0 ? label(r) : Generators.anyString(r, 80),
                s -> {
                    boolean valid = s.length() >= 1 && s.length() <= 63 && s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
                    assertThat(Names.isDns1123Label(s)).isEqualTo(valid);
                    if (!valid) {
                        assertThatThrownBy(() -> Names.requireDns1123Label("name", s))
                                .isInstanceOf(ValidationException.class);
                    }
                });
    }

    private static String label(SplittableRandom r) {
        String a = Generators.string(r, Generators.LOWER_ALNUM, 1, 1);
        String middle = Generators.string(r, Generators.LOWER_ALNUM + "-", 0, 61);
        String b = Generators.string(r, Generators.LOWER_ALNUM, 1, 1);
        return middle.isEmpty() && a.equals(b) ? a : a + middle + b;
    }
}
