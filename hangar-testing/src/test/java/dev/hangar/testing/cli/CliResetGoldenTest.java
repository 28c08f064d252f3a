package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.EventView;
import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.testing.FakeProvider;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar reset} and {@code hangar lab reset} against the real server (SQLite store, real
 * reconciler) with the fake provider: refused without confirmation off a terminal, carried out with
 * {@code --yes --wait} (the workspace back Running, its events saying requested, started and
 * completed in that order, the provider's reset called once per request), only the named member of
 * a lab touched with {@code --member}, only a group's members with {@code --group}, the union of
 * both given together, and bad input (an unknown group or member resets none) with its message and exit code.
 */
class CliResetGoldenTest {
    private TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeEach
    void start() {
        cp = TestControlPlane.start();
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private CliHarness as(String token) {
        return new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", token);
    }

    private static List<String> resetEvents(HangarClient client, String workspace) {
        return client.events(workspace, "", 100).stream()
                .filter(e -> e.type().equals("reset"))
                .map(EventView::message)
                .toList();
    }

    @Test
    void resetOfAWorkspaceAndOfALab() {
        TestControlPlane.Credentials alice = cp.createUser("reset-alice", Role.MEMBER);
        CliHarness cli = as(alice.token());
        // The reset's own observation of a stopped workspace says "fresh disk"; the reconciler's next
        // pass drops it. Which of the two `show` meets is a race (a CLI that starts faster meets the
        // first more often); the transcript is about the phase, so both read alike.
        Golden g = new Golden(cli)
                .literal(home.toString(), "<home>")
                .mask("fake compute stopped, fresh disk", "fake compute stopped");
        FakeProvider fake = cp.fake();

        g.run("create", "dev", "--template", "fake", "--wait");
        g.note("reset discards the disk's changes: it asks first, and without a terminal it needs --yes");
        g.run("reset", "dev");
        assertThat(fake.resets("dev")).isZero();
        g.run("reset", "dev", "--yes", "--wait");
        g.run("show", "dev");
        g.note("a stopped workspace is reset and stays stopped");
        g.run("stop", "dev", "--wait");
        g.run("reset", "dev", "--yes", "--wait");
        g.run("show", "dev");
        g.run("reset", "no-such", "--yes");

        g.note("a lab: only the named member, then every member");
        g.run("lab", "create", "k8s", "--template", "fake", "--group", "master=1", "--group", "nodes=2", "--wait");
        g.run("lab", "reset", "k8s");
        g.run("lab", "reset", "k8s", "--member", "k8s-nodes-2", "--yes", "--wait");
        assertThat(List.of(fake.resets("k8s-master-1"), fake.resets("k8s-nodes-1"), fake.resets("k8s-nodes-2")))
                .containsExactly(0, 0, 1);
        g.run("lab", "reset", "k8s", "--yes", "--wait");
        assertThat(List.of(fake.resets("k8s-master-1"), fake.resets("k8s-nodes-1"), fake.resets("k8s-nodes-2")))
                .containsExactly(1, 1, 2);
        g.run("lab", "show", "k8s");
        g.note("a group's members only; then a group and a member together (the union)");
        g.run("lab", "reset", "k8s", "--group", "nodes");
        g.run("lab", "reset", "k8s", "--group", "nodes", "--yes", "--wait");
        assertThat(List.of(fake.resets("k8s-master-1"), fake.resets("k8s-nodes-1"), fake.resets("k8s-nodes-2")))
                .containsExactly(1, 2, 3);
        g.run("lab", "reset", "k8s", "--group", "master", "--member", "k8s-nodes-1", "--yes", "--wait");
        assertThat(List.of(fake.resets("k8s-master-1"), fake.resets("k8s-nodes-1"), fake.resets("k8s-nodes-2")))
                .containsExactly(2, 3, 3);
        g.run("lab", "reset", "k8s", "--group", "nodes", "--group", "workers", "--yes");
        g.run("lab", "reset", "k8s", "--member", "k8s-nodes-9", "--yes");
        g.run("lab", "reset", "no-such", "--yes");
        g.assertMatches("resets");
        assertThat(List.of(fake.resets("k8s-master-1"), fake.resets("k8s-nodes-1"), fake.resets("k8s-nodes-2")))
                .as("a refused reset touches no member")
                .containsExactly(2, 3, 3);

        assertThat(fake.resets("dev")).isEqualTo(2);
        try (HangarClient client = new HangarClient(
                dev.hangar.api.client.ClientSettings.of(cp.baseUri().toString(), alice.token()))) {
            assertThat(resetEvents(client, "dev"))
                    .containsExactly(
                            "reset requested by reset-alice (generation 1)",
                            "reset started (generation 1)",
                            "reset completed (generation 1)",
                            "reset requested by reset-alice (generation 2)",
                            "reset started (generation 2)",
                            "reset completed (generation 2)");
            assertThat(resetEvents(client, "k8s-nodes-2"))
                    .containsExactly(
                            "reset requested by reset-alice (generation 1)",
                            "reset started (generation 1)",
                            "reset completed (generation 1)",
                            "reset requested by reset-alice (generation 2)",
                            "reset started (generation 2)",
                            "reset completed (generation 2)",
                            "reset requested by reset-alice (generation 3)",
                            "reset started (generation 3)",
                            "reset completed (generation 3)");
        }
    }
}
