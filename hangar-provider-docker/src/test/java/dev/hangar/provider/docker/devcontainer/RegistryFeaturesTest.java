package dev.hangar.provider.docker.devcontainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.testfixtures.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Features fetched from a real OCI registry (docker-registry 2.8 on a loopback port, published
 * through the distribution API by {@link LocalRegistry}), and the refusals: a registry not allowed,
 * a host that does not resolve, a port where nothing listens, a manifest without a feature layer, a
 * layer leaving its folder or holding a link.
 */
class RegistryFeaturesTest {
    private static final Map<String, String> FEATURE = Map.of(
            "devcontainer-feature.json",
            "{\"id\": \"hello\", \"version\": \"1.0.0\", \"options\": {\"greeting\": {\"type\": \"string\","
                    + " \"default\": \"hi\"}}}",
            "install.sh",
            "#!/bin/sh\necho \"$GREETING\" > /hello\n",
            "lib/helper.txt",
            "helper\n");

    @TempDir
    static Path shared;

    private static LocalRegistry registry;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRegistry() throws IOException {
        registry = LocalRegistry.start(shared);
    }

    @AfterAll
    static void stopRegistry() throws IOException {
        if (registry != null) registry.close();
    }

    private RegistryFeatures features(String... allowed) {
        return new RegistryFeatures(new RegistryClient(Duration.ofSeconds(5)), Set.of(allowed));
    }

    @Test
    void fetchesAPublishedFeatureByTagAndByDigest() throws Exception {
        String digest = registry.pushFeature("hangar/features/hello", "1", FEATURE);
        RegistryFeatures features = features(registry.host());

        Path byTag = dir.resolve("tag");
        FeatureReference tagged = FeatureReference.parse(registry.host() + "/hangar/features/hello:1")
                .orElseThrow();
        assertThat(features.fetch(tagged, byTag)).isEqualTo(digest);
        assertThat(byTag.resolve("install.sh")).hasContent("#!/bin/sh\necho \"$GREETING\" > /hello");
        assertThat(Files.isExecutable(byTag.resolve("install.sh"))).isTrue();
        assertThat(byTag.resolve("lib/helper.txt")).hasContent("helper");
        assertThat(DevcontainerStage.options(new DevcontainerConfig.Feature(tagged.toString(), byTag, Map.of())))
                .as("installed as a local feature is: options from its devcontainer-feature.json")
                .containsEntry("GREETING", "hi");

        Path byDigest = dir.resolve("digest");
        assertThat(features.fetch(
                        FeatureReference.parse(registry.host() + "/hangar/features/hello@" + digest)
                                .orElseThrow(),
                        byDigest))
                .isEqualTo(digest);
        assertThat(byDigest.resolve("devcontainer-feature.json")).exists();
    }

    @Test
    void aMissingTagNamesTheFeatureAndTheRegistry() {
        FeatureReference ref = FeatureReference.parse(registry.host() + "/hangar/features/none:9")
                .orElseThrow();
        assertThatThrownBy(() -> features(registry.host()).fetch(ref, dir.resolve("x")))
                .isInstanceOf(ProviderException.class)
                .satisfies(e -> assertThat(((ProviderException) e).permanent()).isTrue())
                .hasMessageContaining("feature '" + ref + "' from registry " + registry.host())
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void aRegistryNotAllowedIsRefusedBeforeAnyRequest() {
        FeatureReference ref = FeatureReference.parse(registry.host() + "/hangar/features/hello:1")
                .orElseThrow();
        assertThatThrownBy(() -> features("ghcr.io").fetch(ref, dir.resolve("x")))
                .hasMessageContaining("registry " + registry.host() + " is not in the docker provider's"
                        + " feature-registries setting [ghcr.io]")
                .hasMessageContaining("providers.docker.feature-registries");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(registry.log()).doesNotContain("/v2/hangar/features/hello/manifests/1");
    }

    @Test
    void anUnresolvableHostFailsFastSayingSoAndWhatToDo() {
        FeatureReference ref =
                FeatureReference.parse("registry.hangar.invalid/f/node:1").orElseThrow();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> features("registry.hangar.invalid").fetch(ref, dir.resolve("x")))
                .hasMessageContaining(
                        "feature 'registry.hangar.invalid/f/node:1' from registry registry.hangar.invalid")
                .hasMessageContaining("does not resolve")
                .hasMessageContaining("mirror the feature")
                .hasMessageContaining("'./node'")
                .hasMessageContaining("hangar image import");
        System.out.printf("[registry-features] unresolvable host refused in %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void aPortWithNothingListeningSaysSo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        FeatureReference ref =
                FeatureReference.parse("127.0.0.1:" + port + "/f/node:1").orElseThrow();
        assertThatThrownBy(() -> features("127.0.0.1:" + port).fetch(ref, dir.resolve("x")))
                .hasMessageContaining("from registry 127.0.0.1:" + port + ": nothing answers at 127.0.0.1:" + port);
    }

    @Test
    void aManifestWithoutAFeatureLayerIsNotAFeature() throws Exception {
        byte[] config = new byte[0];
        byte[] layer = "not a feature".getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.pushBlob("hangar/image", config);
        String layerDigest = registry.pushBlob("hangar/image", layer);
        registry.pushManifest("hangar/image", "1", """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "%s", "size": 0},
                 "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "%s", "size": %d}]}
                """.formatted(configDigest, layerDigest, layer.length)
                .getBytes(StandardCharsets.UTF_8));
        FeatureReference ref =
                FeatureReference.parse(registry.host() + "/hangar/image:1").orElseThrow();
        assertThatThrownBy(() -> features(registry.host()).fetch(ref, dir.resolve("x")))
                .hasMessageContaining("it is not a devcontainer feature: its manifest has no layer(s) of media type"
                        + " application/vnd.devcontainers.layer.v1+tar (layers:"
                        + " [application/vnd.oci.image.layer.v1.tar+gzip])");
    }

    @Test
    void aLayerEntryLeavingTheFolderOrALinkIsRefused() throws IOException {
        assertThatThrownBy(() -> RegistryFeatures.unpack(tar("../escape.sh", null), dir.resolve("a")))
                .hasMessageContaining("an entry outside the feature's folder: ../escape.sh");
        assertThat(dir.resolve("escape.sh")).doesNotExist();
        assertThatThrownBy(() -> RegistryFeatures.unpack(tar("install.sh", "/etc/passwd"), dir.resolve("b")))
                .hasMessageContaining("a symbolic link 'install.sh'; Hangar unpacks regular files and folders only");
    }

    @Test
    void aLayerWithoutInstallShIsRefused() throws Exception {
        registry.pushFeature("hangar/features/empty", "1", Map.of("devcontainer-feature.json", "{}"));
        FeatureReference ref = FeatureReference.parse(registry.host() + "/hangar/features/empty:1")
                .orElseThrow();
        assertThatThrownBy(() -> features(registry.host()).fetch(ref, dir.resolve("x")))
                .hasMessageContaining("its layer has no install.sh at the top");
    }

    /** @return a tar with one entry: a file, or a symbolic link to {@code linkTarget} */
    private static byte[] tar(String name, String linkTarget) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e;
            if (linkTarget == null) {
                e = new TarArchiveEntry(name);
                e.setSize(2);
            } else {
                e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName(linkTarget);
            }
            tar.putArchiveEntry(e);
            if (linkTarget == null) tar.write("x\n".getBytes(StandardCharsets.UTF_8));
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }
}
