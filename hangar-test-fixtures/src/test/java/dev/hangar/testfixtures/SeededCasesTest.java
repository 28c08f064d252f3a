package dev.hangar.testfixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;

class SeededCasesTest {

    @Test
    void theSameSeedGivesTheSameCasesAndEdgeCasesComeFirst() {
        List<String> a =
                names(SeededCases.of("p", 42L, 20, List.of("edge"), r -> Generators.anyString(r, 30), s -> {}));
        List<String> b =
                names(SeededCases.of("p", 42L, 20, List.of("edge"), r -> Generators.anyString(r, 30), s -> {}));
        List<String> c =
                names(SeededCases.of("p", 43L, 20, List.of("edge"), r -> Generators.anyString(r, 30), s -> {}));
        assertThat(a).hasSize(21).isEqualTo(b).isNotEqualTo(c);
        assertThat(a.getFirst()).isEqualTo("edge case 1 of 1: \"edge\"");
    }

    @Test
    void aFailureNamesThePropertyTheSeedTheCaseAndTheInput() {
        DynamicTest failing = SeededCases.of(
                        "never x",
                        7L,
                        0,
                        List.of("x"),
                        r -> "",
                        s -> assertThat(s).isNotEqualTo("x"))
                .findFirst()
                .orElseThrow();
        assertThatThrownBy(() -> failing.getExecutable().execute())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("property \"never x\" failed at edge case 1 of 1")
                .hasMessageContaining("seed 7; replay with -Dhangar.test.seed=7")
                .hasMessageContaining("for input \"x\"")
                .hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    void theSeedPropertyFixesTheSeed() {
        String before = System.getProperty(SeededCases.SEED_PROPERTY);
        try {
            System.setProperty(SeededCases.SEED_PROPERTY, "12345");
            assertThat(SeededCases.seed()).isEqualTo(12345L);
        } finally {
            if (before == null) System.clearProperty(SeededCases.SEED_PROPERTY);
            else System.setProperty(SeededCases.SEED_PROPERTY, before);
        }
    }

    @Test
    void showEscapesWhatAMessageCannotCarry() {
        assertThat(SeededCases.show("a\"\n\u00e9\uD83D\uDE00")).isEqualTo("\"a\\\"\\u000a\\u00e9\\U01f600\"");
        assertThat(SeededCases.show("x".repeat(400))).endsWith("...(402 chars)");
    }

    private static List<String> names(java.util.stream.Stream<DynamicTest> tests) {
        return tests.map(DynamicTest::getDisplayName).toList();
    }
}
