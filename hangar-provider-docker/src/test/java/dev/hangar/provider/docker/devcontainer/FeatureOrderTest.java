package dev.hangar.provider.docker.devcontainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.Feature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureOrderTest {
    @TempDir
    Path dir;

    private Feature feature(String id, String manifest) throws IOException {
        Path d = Files.createDirectories(dir.resolve(String.valueOf(Math.abs(id.hashCode()))));
        Files.writeString(d.resolve("install.sh"), "#!/bin/sh\n");
        Files.writeString(d.resolve("devcontainer-feature.json"), manifest);
        return new Feature(id, d, Map.of());
    }

    private static List<String> ids(List<Feature> features) {
        return features.stream().map(Feature::id).toList();
    }

    @Test
    void keepsTheFileOrderUnlessAFeatureInstallsAfterALaterOne() throws IOException {
        Feature node = feature(
                "ghcr.io/devcontainers/features/node:1",
                "{\"installsAfter\": [\"ghcr.io/devcontainers/features/common-utils\"]}");
        Feature local = feature("./local", "{}");
        Feature utils = feature("ghcr.io/devcontainers/features/common-utils:2", "{}");
        Feature unrelated = feature("ghcr.io/x/y:1", "{\"installsAfter\": [\"ghcr.io/not/listed\"]}");
        assertThat(ids(FeatureOrder.order(dir, List.of(node, local, utils, unrelated))))
                .as("installsAfter a feature not listed is ignored; among the ready ones the file's order")
                .containsExactly(
                        "./local",
                        "ghcr.io/devcontainers/features/common-utils:2",
                        "ghcr.io/devcontainers/features/node:1",
                        "ghcr.io/x/y:1");
        assertThat(ids(FeatureOrder.order(dir, List.of(local, utils))))
                .containsExactly("./local", "ghcr.io/devcontainers/features/common-utils:2");
    }

    @Test
    void dependsOnOrdersAndAnUnlistedDependencyIsRefusedNamingIt() throws IOException {
        Feature a = feature("ghcr.io/o/a:1", "{\"dependsOn\": {\"ghcr.io/o/b:1\": {}}}");
        Feature b = feature("ghcr.io/o/b:1", "{}");
        assertThat(ids(FeatureOrder.order(dir, List.of(a, b)))).containsExactly("ghcr.io/o/b:1", "ghcr.io/o/a:1");
        assertThatThrownBy(() -> FeatureOrder.order(dir, List.of(a)))
                .isInstanceOf(DevcontainerException.class)
                .hasMessageContaining("feature 'ghcr.io/o/a:1' dependsOn 'ghcr.io/o/b:1', which devcontainer.json does"
                        + " not list");
    }

    @Test
    void aCycleOrTheSameFeatureTwiceIsRefused() throws IOException {
        Feature a = feature("ghcr.io/o/a:1", "{\"installsAfter\": [\"ghcr.io/o/b\"]}");
        Feature b = feature("ghcr.io/o/b:1", "{\"installsAfter\": [\"ghcr.io/o/a\"]}");
        assertThatThrownBy(() -> FeatureOrder.order(dir, List.of(a, b)))
                .hasMessageContaining("form a cycle among [ghcr.io/o/a:1, ghcr.io/o/b:1]");
        Feature a2 = feature("ghcr.io/o/a:2", "{}");
        assertThatThrownBy(() -> FeatureOrder.order(dir, List.of(b, a2, feature("ghcr.io/o/a:3", "{}"))))
                .hasMessageContaining("'ghcr.io/o/a:2' and 'ghcr.io/o/a:3' are the same feature");
    }
}
