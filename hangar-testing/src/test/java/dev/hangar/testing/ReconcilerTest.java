package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hangar.api.EventView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reconciler driven through the real API, with the fake provider standing in for a hypervisor
 * (no workspace can really boot in this test): convergence, retries with backoff, permanent
 * failure and recovery, and a server restarted in the middle of provisioning.
 */
class ReconcilerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static WorkspaceView get(TestControlPlane cp, String name) {
        HttpResponse<String> r = cp.http().get("/api/v1/workspaces/" + name, cp.adminToken());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.read(r, WorkspaceView.class);
    }

    private static List<EventView> events(TestControlPlane cp, String name) {
        return TestHttp.read(
                cp.http().get("/api/v1/workspaces/" + name + "/events?limit=1000", cp.adminToken()),
                new TypeReference<List<EventView>>() {});
    }

    /** @return the phase events as {@code "A -> B"}, without their reasons */
    private static List<String> phaseChanges(TestControlPlane cp, String name) {
        return events(cp, name).stream()
                .filter(e -> e.type().equals("phase"))
                .map(e -> e.message().split(":")[0])
                .toList();
    }

    private static void create(TestControlPlane cp, String name) {
        HttpResponse<String> r = cp.http()
                .post("/api/v1/workspaces", cp.adminToken(), "{\"name\":\"" + name + "\",\"template\":\"fake\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static void post(TestControlPlane cp, String name, String action) {
        HttpResponse<String> r = cp.http().post("/api/v1/workspaces/" + name + "/" + action, cp.adminToken(), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    @Test
    void lifecycleConvergesAndDeleteRemovesRowAndEvents() {
        try (TestControlPlane cp =
                TestControlPlane.builder().fake(p -> p.delayRunning(2)).start()) {
            create(cp, "life");
            await().atMost(WAIT).until(() -> get(cp, "life").phase() == WorkspacePhase.Running);
            assertThat(cp.fake().calls("apply", "life"))
                    .extracting(FakeProvider.Call::outcome)
                    .containsSubsequence("Starting", "Starting", "Running");
            List<String> phases = phaseChanges(cp, "life");
            assertThat(phases)
                    .containsSubsequence("Pending -> Provisioning", "Provisioning -> Starting", "Starting -> Running");

            post(cp, "life", "stop");
            await().atMost(WAIT).until(() -> get(cp, "life").phase() == WorkspacePhase.Stopped);
            post(cp, "life", "start");
            await().atMost(WAIT).until(() -> get(cp, "life").phase() == WorkspacePhase.Running);
            post(cp, "life", "restart");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(get(cp, "life").phase()).isEqualTo(WorkspacePhase.Running);
                assertThat(events(cp, "life").stream().map(e -> e.message().split(":")[0]))
                        .containsSubsequence("restart requested by admin", "Running -> Stopped", "Stopped -> Starting");
            });

            String id = get(cp, "life").id();
            assertThat(cp.fake().exists(id)).isTrue();
            assertThat(cp.http()
                            .delete("/api/v1/workspaces/life", cp.adminToken())
                            .statusCode())
                    .isEqualTo(202);
            await().atMost(WAIT)
                    .until(() -> cp.http()
                                    .get("/api/v1/workspaces/life", cp.adminToken())
                                    .statusCode()
                            == 404);
            assertThat(cp.server().store().workspaces().find(id)).isEmpty();
            assertThat(cp.server().store().events().list(id, 1000)).isEmpty();
            assertThat(cp.fake().exists(id)).as("provider resources removed").isFalse();
        }
    }

    @Test
    void transientFailuresAreRetriedWithBackoffThenConverge() {
        try (TestControlPlane cp = TestControlPlane.builder()
                .fake(p -> p.failNextApplies(3, false, "connection refused by fake hypervisor"))
                .start()) {
            create(cp, "flaky");
            await().atMost(WAIT).until(() -> get(cp, "flaky").phase() == WorkspacePhase.Running);
            List<EventView> errors = events(cp, "flaky").stream()
                    .filter(e -> e.type().equals("error"))
                    .toList();
            assertThat(errors)
                    .extracting(EventView::message)
                    .containsExactly(
                            "will retry (attempt 1): connection refused by fake hypervisor",
                            "will retry (attempt 2): connection refused by fake hypervisor",
                            "will retry (attempt 3): connection refused by fake hypervisor");
            // exponential backoff: the gaps between attempts grow (base 50 ms, doubling)
            List<FakeProvider.Call> failed = cp.fake().calls("apply", "flaky").stream()
                    .filter(c -> c.outcome().startsWith("error"))
                    .toList();
            assertThat(failed).hasSize(3);
            Duration gap1 = Duration.between(errors.get(0).at(), errors.get(1).at());
            Duration gap2 = Duration.between(errors.get(1).at(), errors.get(2).at());
            assertThat(gap1).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            assertThat(gap2).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            WorkspaceView w = get(cp, "flaky");
            assertThat(w.reason()).doesNotContain("connection refused");
            String metrics = cp.http().get("/metrics", "").body();
            assertThat(metrics)
                    .contains("hangar_reconcile_passes_seconds_count{outcome=\"retry\",provider=\"fake\"} 3");
        }
    }

    @Test
    void permanentFailureMarksFailedWithReasonAndStartRecovers() {
        try (TestControlPlane cp = TestControlPlane.builder()
                .fake(p -> p.failNextApplies(1, true, "image fake-image does not exist"))
                .start()) {
            create(cp, "broken");
            await().atMost(WAIT).until(() -> get(cp, "broken").phase() == WorkspacePhase.Failed);
            WorkspaceView failed = get(cp, "broken");
            assertThat(failed.reason()).isEqualTo("image fake-image does not exist");
            assertThat(events(cp, "broken"))
                    .extracting(EventView::message)
                    .contains("failed: image fake-image does not exist");
            int calls = cp.fake().calls("apply", "broken").size();
            // Failed is left alone until a user acts: no further apply calls across resyncs
            await().during(Duration.ofMillis(600))
                    .atMost(WAIT)
                    .until(() -> cp.fake().calls("apply", "broken").size() == calls);

            post(cp, "broken", "start");
            await().atMost(WAIT).until(() -> get(cp, "broken").phase() == WorkspacePhase.Running);
            assertThat(get(cp, "broken").reason()).isNotEqualTo("image fake-image does not exist");
        }
    }

    @Test
    void closeWaitsForPassesInFlightUpToItsGrace() {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        try (TestControlPlane cp =
                TestControlPlane.builder().fake(p -> p.holdApplies(gate)).start()) {
            create(cp, "held");
            await().atMost(WAIT).until(() -> cp.fake().appliesInFlight() == 1);
            // a pass is held inside the provider: close gives up after its grace and says so
            assertThat(cp.server().reconciler().close(Duration.ofMillis(300))).isFalse();
            assertThat(cp.fake().appliesInFlight()).isEqualTo(1);
            // once the pass can finish, close sees it end (and stays idempotent)
            gate.countDown();
            assertThat(cp.server().reconciler().close(WAIT)).isTrue();
            assertThat(cp.fake().appliesInFlight()).isZero();
            assertThat(cp.server().reconciler().close(Duration.ZERO)).isTrue();
        }
    }

    @Test
    void serverRestartedDuringProvisioningConverges() {
        Path home;
        String id;
        try (TestControlPlane first = TestControlPlane.builder()
                .keepHome()
                .fake(p -> p.delayRunning(1_000_000))
                .start()) {
            home = first.home();
            create(first, "survivor");
            await().atMost(WAIT).until(() -> get(first, "survivor").phase() == WorkspacePhase.Starting);
            id = get(first, "survivor").id();
            assertThat(first.fake().exists(id)).isTrue();
        }
        try (TestControlPlane second = TestControlPlane.builder().home(home).start()) {
            // the new server finds the unfinished workspace in the store and the fake's resources on disk
            await().atMost(WAIT).until(() -> get(second, "survivor").phase() == WorkspacePhase.Running);
            assertThat(get(second, "survivor").id()).isEqualTo(id);
            assertThat(second.fake().calls("apply", "survivor")).isNotEmpty();
            assertThat(phaseChanges(second, "survivor"))
                    .containsSubsequence("Pending -> Provisioning", "Provisioning -> Starting", "Starting -> Running");
        } finally {
            deleteTree(home);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
