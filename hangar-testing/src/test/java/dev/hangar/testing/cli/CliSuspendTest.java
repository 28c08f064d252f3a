package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.testing.FakeProvider;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar stop --suspend} and {@code hangar show} of a suspended workspace, through the real
 * server ({@link TestControlPlane}) and the reconciler, with the fake provider standing in for a
 * provider that can suspend ({@link FakeProvider#suspendable()}) and for one that cannot (the
 * default). The QEMU provider's real suspend is in QemuProviderIT.
 */
class CliSuspendTest {
    @TempDir
    Path home;

    private static CliHarness cli(TestControlPlane cp, Path home, String user) {
        TestControlPlane.Credentials c = cp.createUser(user, false);
        return new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", c.token());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void stopSuspendSuspendsShowSaysSoAndStartResumes() {
        try (TestControlPlane cp =
                TestControlPlane.builder().fake(FakeProvider::suspendable).start()) {
            CliHarness cli = cli(cp, home, unique("sus"));
            String ws = unique("dev");
            assertThat(cli.run("create", ws, "--template", "fake", "--wait").code())
                    .isEqualTo(ExitCodes.OK);

            CliHarness.Result stop = cli.run("stop", ws, "--suspend", "--wait");
            assertThat(stop.code()).as(stop.toString()).isEqualTo(ExitCodes.OK);
            CliHarness.Result show = cli.run("show", ws);
            assertThat(show.out())
                    .contains("Stopped (suspended, 1.2 GiB state)")
                    .doesNotContain("Reason");
            assertThat(cli.run("events", ws).out()).contains("fake-suspended");

            assertThat(cli.run("start", ws, "--wait").code()).isEqualTo(ExitCodes.OK);
            assertThat(cli.run("events", ws).out()).contains("fake-resumed");

            // a plain stop after that shuts down: the request was for one stop only
            assertThat(cli.run("stop", ws, "--wait").code()).isEqualTo(ExitCodes.OK);
            assertThat(cli.run("show", ws).out())
                    .contains("Stopped")
                    .doesNotContain("suspended")
                    .contains("fake compute stopped");
        }
    }

    @Test
    void kindsThatCannotSuspendRefuseNamingTheKindsThatCan() {
        try (TestControlPlane cp = TestControlPlane.start()) {
            CliHarness cli = cli(cp, home, unique("nosus"));
            String ws = unique("pod");
            assertThat(cli.run("create", ws, "--template", "fake", "--wait").code())
                    .isEqualTo(ExitCodes.OK);

            CliHarness.Result refused = cli.run("stop", ws, "--suspend");

            assertThat(refused.code()).isNotEqualTo(ExitCodes.OK);
            assertThat(refused.err())
                    .contains("cannot be suspended")
                    .contains("no provider of this server can suspend")
                    .contains("without --suspend");
            assertThat(cli.run("show", ws).out()).contains("Running");
            assertThat(cp.fake().calls("apply", ws)).noneMatch(c -> c.desired().equals("STOPPED"));
        }
    }
}
