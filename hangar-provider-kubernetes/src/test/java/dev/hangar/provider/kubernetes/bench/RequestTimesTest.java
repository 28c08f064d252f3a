package dev.hangar.provider.kubernetes.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconcile benchmarks' request timing: resources from paths, kubectl's {@code -v=6} lines. */
class RequestTimesTest {
    @Test
    void namesTheResourceOfANamespacedPath() {
        assertThat(RequestTimes.resource(URI.create(
                        "https://10.0.0.1:6443/apis/apps/v1/namespaces/ns/statefulsets/ws-a?fieldManager=x")))
                .isEqualTo("statefulsets");
        assertThat(RequestTimes.resource(URI.create("https://10.0.0.1:6443/api/v1/namespaces/ns/secrets")))
                .isEqualTo("secrets");
        assertThat(RequestTimes.resource(URI.create("https://10.0.0.1:6443/openapi/v2")))
                .isEqualTo("v2");
    }

    @Test
    void readsKubectlRequestLinesAndIgnoresOthers() {
        RequestTimes times = new RequestTimes();
        times.kubectlLine("I1205 08:51:30.123456   4242 round_trippers.go:444] PATCH"
                + " https://10.242.0.2:6443/api/v1/namespaces/kube/secrets/ws-1-ssh?fieldManager=hangar-bench&force=true"
                + " 201 Created in 5 milliseconds");
        times.kubectlLine("I1205 08:51:30.223456   4242 round_trippers.go:444] PATCH"
                + " https://10.242.0.2:6443/api/v1/namespaces/kube/secrets/ws-2-ssh?fieldManager=hangar-bench&force=true"
                + " 200 OK in 2 milliseconds");
        times.kubectlLine("I1205 08:51:30.323456   4242 apply.go:390] some other log line");

        Map<String, long[]> snapshot = times.snapshot();

        assertThat(snapshot).containsOnlyKeys("PATCH secrets");
        assertThat(snapshot.get("PATCH secrets")).containsExactly(2, 7_000_000L);
    }
}
