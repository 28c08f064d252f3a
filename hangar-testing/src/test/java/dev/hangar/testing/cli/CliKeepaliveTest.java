package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.testfixtures.TestClock;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar create --autostop}, {@code hangar keepalive} and the auto-stop lines of {@code
 * hangar show}, against the real server with a hand-moved clock (the CLI's clock is the same one,
 * so "in 3h" is exact).
 */
class CliKeepaliveTest {
    private static final TestClock CLOCK = new TestClock();
    private static TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.builder().clock(CLOCK).start();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    @Test
    void createWithAutostopKeepaliveAndShow() {
        TestControlPlane.Credentials c = cp.createUser("kate", false);
        CliHarness cli = new CliHarness(home)
                .env("HANGAR_URL", cp.baseUri().toString())
                .env("HANGAR_TOKEN", c.token())
                .clock(CLOCK);
        Instant t0 = CLOCK.instant();
        assertThat(cli.run("create", "job", "--template", "fake", "--autostop", "1h")
                        .code())
                .isEqualTo(ExitCodes.OK);

        CliHarness.Result shown = cli.run("show", "job");
        assertThat(shown.code()).as(shown.toString()).isEqualTo(ExitCodes.OK);
        assertThat(shown.out())
                .containsPattern("Autostop: +1h idle")
                .containsPattern("Last activity: +" + t0 + " \\(0s ago\\)")
                .containsPattern("Stops: +" + t0.plus(Duration.ofHours(1)) + " \\(in 60m");

        CLOCK.advance(Duration.ofMinutes(30));
        CliHarness.Result kept = cli.run("keepalive", "job", "--for", "3h");
        assertThat(kept.code()).as(kept.toString()).isEqualTo(ExitCodes.OK);
        Instant until = t0.plus(Duration.ofMinutes(30)).plus(Duration.ofHours(3));
        assertThat(kept.out()).isEqualTo("workspace job kept alive until " + until + "\n");
        assertThat(cli.run("show", "job").out())
                .containsPattern("Kept alive: +until " + until)
                .containsPattern("Stops: +" + until);

        CliHarness.Result tooLong = cli.run("keepalive", "job", "--for", "2d");
        assertThat(tooLong.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(tooLong.err()).contains("--for 2d is longer").contains("autostop.max-lease");
        CliHarness.Result bad = cli.run("create", "oops", "--template", "fake", "--autostop", "soon");
        assertThat(bad.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).contains("--autostop").contains("'off' or a duration");
        assertThat(cli.run("keepalive", "nope", "--for", "1h").code()).isEqualTo(ExitCodes.NOT_FOUND);
    }
}
