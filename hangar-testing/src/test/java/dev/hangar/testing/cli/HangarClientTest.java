package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.DesiredState;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.api.client.WorkspaceFilter;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The typed client against the real server: every route, errors as problems, concurrent use. */
class HangarClientTest {
    private static TestControlPlane cp;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static HangarClient client(String user) {
        return new HangarClient(ClientSettings.of(
                cp.baseUri().toString(), cp.createUser(user, false).token()));
    }

    @Test
    void workspaceRoutesRoundTrip() {
        try (HangarClient c = client("client-ws")) {
            WorkspaceView created =
                    c.createWorkspace(new CreateWorkspaceRequest("one", "fake", 2, 1024, null, null, null));
            assertThat(created.owner()).isEqualTo("client-ws");
            assertThat(created.memoryMiB()).isEqualTo(1024);
            assertThat(created.diskGiB()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.workspace("one").phase() == WorkspacePhase.Running);
            assertThat(c.listWorkspaces(WorkspaceFilter.NONE.withPhase("Running")))
                    .extracting(WorkspaceView::name)
                    .containsExactly("one");
            assertThat(c.listWorkspaces(WorkspaceFilter.NONE.withTemplate("other")))
                    .isEmpty();
            assertThat(c.stopWorkspace("one", "").desired()).isEqualTo(DesiredState.STOPPED);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.workspace("one").phase() == WorkspacePhase.Stopped);
            assertThat(c.startWorkspace("one", "").desired()).isEqualTo(DesiredState.RUNNING);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.workspace("one").phase() == WorkspacePhase.Running);
            assertThat(c.restartWorkspace("one", "").desired()).isEqualTo(DesiredState.RUNNING);
            assertThat(c.events("one", "", 100))
                    .extracting(e -> e.type())
                    .contains("created", "stop", "start", "restart");
            assertThat(c.events("one", "", 1)).hasSize(1);
            assertThat(c.deleteWorkspace("one", "").desired()).isEqualTo(DesiredState.DELETED);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> c.listWorkspaces(WorkspaceFilter.NONE).isEmpty());
        }
    }

    @Test
    void errorsCarryTheServersProblem() {
        try (HangarClient c = client("client-err")) {
            assertThatThrownBy(() ->
                            c.createWorkspace(new CreateWorkspaceRequest("ok", "fake", 99, null, null, null, null)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        // Validation errors are 422 (RFC 9110: content understood, values rejected).
                        assertThat(e.status()).isEqualTo(422);
                        assertThat(e.field()).isEqualTo("cpus");
                        assertThat(e.detail()).contains("99");
                    });
            assertThatThrownBy(() -> c.workspace("absent"))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> c.template("absent"))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        }
        try (HangarClient anonymous =
                new HangarClient(ClientSettings.of(cp.baseUri().toString(), ""))) {
            assertThat(anonymous.ready()).isTrue();
            assertThatThrownBy(anonymous::me)
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
    }

    @Test
    void templatesUsersKeysAndInfo() throws Exception {
        try (HangarClient c = client("client-keys")) {
            assertThat(c.templates()).extracting(t -> t.name()).containsExactly("fake");
            assertThat(c.template("fake").defaults().memoryMiB()).isEqualTo(512);
            assertThat(c.me().name()).isEqualTo("client-keys");
            assertThat(c.me().admin()).isFalse();
            assertThat(c.info().version()).isNotBlank();
            String key = Files.readString(Path.of("src/test/resources/golden/keys/rsa2048.pub"));
            assertThatThrownBy(() -> c.addKey(new AddSshKeyRequest(key)))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.field()).isEqualTo("key"));
            assertThat(c.keys()).isEmpty();
            // A key nobody else in this control plane registers (keys are unique server-wide).
            String ed = Files.readString(Path.of("src/test/resources/golden/keys/ed25519.pub"));
            SshKeyView k = c.addKey(new AddSshKeyRequest(ed));
            assertThat(k.fingerprint()).isEqualTo("SHA256:wq1YRvXtrOMwH6MH7cXIym2nRkMJWDIRTfpNBTAl8Ow");
            assertThat(c.keys()).containsExactly(k);
            c.removeKey(k.fingerprint());
            assertThat(c.keys()).isEmpty();
        }
    }

    @Test
    void oneClientServesManyThreadsAtOnce() throws Exception {
        try (HangarClient c = client("client-conc");
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<WorkspaceView>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String name = "w" + i;
                futures.add(pool.submit(() -> {
                    c.createWorkspace(new CreateWorkspaceRequest(name, "fake", null, null, null, null, null));
                    return c.workspace(name);
                }));
            }
            List<String> names = new ArrayList<>();
            for (Future<WorkspaceView> f : futures) names.add(f.get().name());
            assertThat(names).hasSize(16).doesNotHaveDuplicates();
            assertThat(c.listWorkspaces(WorkspaceFilter.NONE)).hasSize(16);
        }
    }
}
