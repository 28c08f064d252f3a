package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The create-or-merge-patch applier. The mock server in CRUD mode stands in for an API server (it
 * has no server-side apply, which is why this applier exists).
 */
class MergePatchApplierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MockCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new MockCluster();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    /** The test vectors of RFC 7386 Appendix A (quotes written as single quotes). */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "{'a':'b'}|{'a':'c'}|{'a':'c'}",
                "{'a':'b'}|{'b':'c'}|{'a':'b','b':'c'}",
                "{'a':'b'}|{'a':null}|{}",
                "{'a':'b','b':'c'}|{'a':null}|{'b':'c'}",
                "{'a':['b']}|{'a':'c'}|{'a':'c'}",
                "{'a':'c'}|{'a':['b']}|{'a':['b']}",
                "{'a':{'b':'c'}}|{'a':{'b':'d','c':null}}|{'a':{'b':'d'}}",
                "{'a':[{'b':'c'}]}|{'a':[1]}|{'a':[1]}",
                "['a','b']|['c','d']|['c','d']",
                "{'a':'b'}|['c']|['c']",
                "{'a':'foo'}|null|null",
                "{'a':'foo'}|'bar'|'bar'",
                "{'e':null}|{'a':1}|{'e':null,'a':1}",
                "[1,2]|{'a':'b','c':null}|{'a':'b'}",
                "{}|{'a':{'bb':{'ccc':null}}}|{'a':{'bb':{}}}"
            })
    void mergePatchFollowsRfc7386(String target, String patch, String result) throws Exception {
        assertThat(MergePatchApplier.mergePatch(json(target), json(patch))).isEqualTo(json(result));
    }

    @Test
    void createsThenWritesNothingWhenNothingChanged() throws InterruptedException {
        MergePatchApplier applier = new MergePatchApplier(cluster.client);
        ConfigMap desired = configMap("unchanged", "v1");

        ConfigMap created = applier.apply(desired);
        cluster.takeRequests();
        ConfigMap again = applier.apply(desired);

        assertThat(cluster.takeRequests()).containsExactly("GET /api/v1/namespaces/hangar-test/configmaps/unchanged");
        assertThat(again.getMetadata().getResourceVersion())
                .isEqualTo(created.getMetadata().getResourceVersion());
    }

    @Test
    void patchesOnlyWhatDiffersAndKeepsFieldsItDoesNotSet() throws InterruptedException {
        MergePatchApplier applier = new MergePatchApplier(cluster.client);
        applier.apply(configMap("changing", "v1"));
        // Another writer (a person with kubectl) adds an annotation Hangar does not set.
        cluster.client
                .configMaps()
                .inNamespace("hangar-test")
                .withName("changing")
                .edit(c -> new ConfigMapBuilder(c)
                        .editMetadata()
                        .addToAnnotations("note", "kept")
                        .endMetadata()
                        .build());
        cluster.takeRequests();

        ConfigMap patched = applier.apply(configMap("changing", "v2"));

        assertThat(cluster.takeRequests())
                .containsExactly(
                        "GET /api/v1/namespaces/hangar-test/configmaps/changing",
                        "PATCH /api/v1/namespaces/hangar-test/configmaps/changing");
        assertThat(patched.getData()).containsEntry("key", "v2");
        assertThat(patched.getMetadata().getAnnotations()).containsEntry("note", "kept");
    }

    private static ConfigMap configMap(String name, String value) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("hangar-test")
                .addToLabels(WorkspaceManifests.LABEL_WORKSPACE_ID, "id-" + name)
                .endMetadata()
                .addToData("key", value)
                .build();
    }

    private static JsonNode json(String singleQuoted) throws Exception {
        return JSON.readTree(singleQuoted.replace('\'', '"'));
    }
}
