package dev.hangar.provider.docker.devcontainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.Feature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The install order of features (pure apart from reading each feature's devcontainer-feature.json):
 * the order of devcontainer.json, except that a feature comes after the listed features it names in
 * {@code installsAfter} or {@code dependsOn} (names compared without version: {@code
 * ghcr.io/org/features/common-utils:2} is {@code ghcr.io/org/features/common-utils}); among those
 * ready, the earlier in the file goes first. A simplification of the features spec's rounds
 * (no {@code overrideFeatureInstallOrder}, no automatic install of dependencies): a {@code
 * dependsOn} on a feature the file does not list is refused, naming it, rather than fetched.
 * Thread-safe (stateless).
 */
public final class FeatureOrder {
    private FeatureOrder() {}

    /**
     * @param file the devcontainer.json, for errors
     * @param features local (or fetched) features in the file's order
     * @return the same features in install order
     * @throws DevcontainerException for a {@code dependsOn} on an unlisted feature, or a cycle
     */
    public static List<Feature> order(Path file, List<Feature> features) {
        Map<String, Feature> byKey = new LinkedHashMap<>();
        for (Feature f : features) {
            Feature twice = byKey.put(key(f), f);
            if (twice != null)
                throw new DevcontainerException(
                        file,
                        0,
                        0,
                        "features: '" + twice.id() + "' and '" + f.id() + "' are the same feature; keep one");
        }
        Map<String, Set<String>> after = new LinkedHashMap<>();
        for (Feature f : features) {
            JsonNode manifest = DevcontainerStage.manifest(f);
            Set<String> deps = new LinkedHashSet<>();
            manifest.path("dependsOn").fieldNames().forEachRemaining(d -> {
                String k = normalise(d);
                if (!byKey.containsKey(k))
                    throw new DevcontainerException(
                            file,
                            0,
                            0,
                            "features: feature '" + f.id() + "' dependsOn '" + d + "', which devcontainer.json does"
                                    + " not list; Hangar does not install dependencies by itself: add it to features");
                deps.add(k);
            });
            for (JsonNode a : manifest.path("installsAfter")) {
                String k = normalise(a.asText());
                if (byKey.containsKey(k)) deps.add(k);
            }
            deps.remove(key(f));
            after.put(key(f), deps);
        }
        List<Feature> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (ordered.size() < features.size()) {
            Feature next = null;
            for (Feature f : features) {
                if (!placed.contains(key(f)) && placed.containsAll(after.get(key(f)))) {
                    next = f;
                    break;
                }
            }
            if (next == null) {
                List<String> left = features.stream()
                        .map(DevcontainerConfig.Feature::id)
                        .filter(id -> features.stream().anyMatch(f -> f.id().equals(id) && !placed.contains(key(f))))
                        .toList();
                throw new DevcontainerException(
                        file, 0, 0, "features: installsAfter/dependsOn form a cycle among " + left);
            }
            ordered.add(next);
            placed.add(key(next));
        }
        return ordered;
    }

    /** @return the feature's name without version: the registry resource, or the local id as written */
    private static String key(Feature f) {
        return f.id().startsWith("./") ? f.id() : normalise(f.id());
    }

    private static String normalise(String id) {
        try {
            return FeatureReference.parse(id).map(FeatureReference::resource).orElse(id);
        } catch (IllegalArgumentException e) {
            return id;
        }
    }
}
