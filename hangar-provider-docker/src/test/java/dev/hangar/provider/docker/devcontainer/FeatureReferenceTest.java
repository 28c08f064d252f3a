package dev.hangar.provider.docker.devcontainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FeatureReferenceTest {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @CsvSource({
        "ghcr.io/devcontainers/features/node:1, ghcr.io, devcontainers/features/node, 1",
        "ghcr.io/devcontainers/features/node, ghcr.io, devcontainers/features/node, latest",
        "127.0.0.1:5000/team/tool:1.2.0, 127.0.0.1:5000, team/tool, 1.2.0",
        "localhost/f:v_1-rc.2, localhost, f, v_1-rc.2",
        "Registry.Example.ORG:443/a.b/c__d/e-f:x, registry.example.org:443, a.b/c__d/e-f, x",
        "[::1]:5000/ns/f:2, [::1]:5000, ns/f, 2",
    })
    void parsesTheReferenceGrammar(String id, String registry, String repository, String reference) {
        assertThat(FeatureReference.parse(id)).contains(new FeatureReference(registry, repository, reference));
    }

    @Test
    void aDigestPinsTheFeature() {
        FeatureReference ref = FeatureReference.parse("ghcr.io/org/f@" + DIGEST).orElseThrow();
        assertThat(ref.pinned()).isTrue();
        assertThat(ref.reference()).isEqualTo(DIGEST);
        assertThat(ref).hasToString("ghcr.io/org/f@" + DIGEST);
        assertThat(ref.resource()).isEqualTo("ghcr.io/org/f");
        assertThat(FeatureReference.parse("ghcr.io/org/f:1").orElseThrow().pinned())
                .isFalse();
        assertThatThrownBy(() -> FeatureReference.parse("ghcr.io/org/f:1@" + DIGEST))
                .hasMessageContaining("give a tag or a digest, not both");
    }

    @ParameterizedTest
    @ValueSource(strings = {"./hello", "../shared/feature"})
    void localFeaturesAreNotReferences(String id) {
        assertThat(FeatureReference.parse(id)).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "node | legacy short ids are not supported",
                "devcontainers/features/node:1 | 'devcontainers' is not a registry host; features have no default registry",
                "ghcr.io/Devcontainers/node:1 | 'Devcontainers/node' is not a repository path",
                "ghcr.io/org//node:1 | is not a repository path",
                "ghcr.io/org/node:.1 | ':.1' is not a tag",
                "ghcr.io/org/node@sha512:abc | Hangar verifies sha256 digests only",
                "ghcr.io/org/node@sha256:abc | Hangar verifies sha256 digests only",
                "ghcr.io/org/node@nothex | is not a digest",
                "ghcr.io:99999/org/node:1 | port 99999 is not 1-65535",
                "-bad.io/org/node:1 | is not a registry host",
                "https://example.org/f.tgz | features from a tarball URL are not supported",
            })
    void refusesWhatIsNotAReferenceSayingWhy(String id, String why) {
        assertThatThrownBy(() -> FeatureReference.parse(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("feature '" + id + "' is not a valid feature reference: ")
                .hasMessageContaining(why);
    }

    @Test
    void refusesOverlongReferences() {
        assertThatThrownBy(() -> FeatureReference.parse("ghcr.io/" + "a/".repeat(130) + "f"))
                .hasMessageContaining("at most 255 characters");
    }
}
