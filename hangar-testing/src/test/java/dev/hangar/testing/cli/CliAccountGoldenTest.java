package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.CliConfig;
import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code login}, {@code version} and the admin's view ({@code list --all}, {@code --owner})
 * against the real server, with a control plane per test so the admin's listing is predictable.
 */
class CliAccountGoldenTest {
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

    @Test
    void loginChecksTheTokenThenSavesItPrivately() throws IOException {
        TestControlPlane.Credentials bob = cp.createUser("bob", false);
        CliHarness cli = new CliHarness(home);
        Golden g = new Golden(cli)
                .literal(home.toString(), "<home>")
                .mask("hangar \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?", "hangar <version>")
                .mask("server \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?", "server <version>");
        g.note("not logged in yet");
        g.run("list");
        g.run("version");
        g.note("a wrong token is refused and nothing is saved");
        cli.stdin("hgr_wrong\n");
        CliHarness.Result refused = g.run("login", cp.baseUri().toString());
        assertThat(refused.code()).isEqualTo(ExitCodes.AUTH);
        assertThat(home.resolve("hangar/cli.yaml")).doesNotExist();
        g.note("the token from standard input");
        cli.stdin(bob.token() + "\n");
        g.run("login", cp.baseUri() + "/");
        Path config = home.resolve("hangar/cli.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-------");
        assertThat(CliConfig.read(config)).hasValue(new CliConfig(cp.baseUri().toString(), bob.token()));
        g.note("from now on the saved config is used");
        g.run("create", "mine", "--template", "fake", "--wait");
        g.run("list", "-o", "json");
        g.run("version");
        g.assertMatches("login");
    }

    @Test
    void adminSeesEveryonesWorkspacesWithAll() {
        TestControlPlane.Credentials carol = cp.createUser("carol", false);
        TestControlPlane.Credentials dave = cp.createUser("dave", false);
        CliHarness asCarol =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", carol.token());
        CliHarness asDave =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", dave.token());
        assertThat(asCarol.run("create", "carols", "--template", "fake", "--wait")
                        .code())
                .isZero();
        assertThat(asDave.run("create", "daves", "--template", "fake", "--wait").code())
                .isZero();
        CliHarness asAdmin =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", cp.adminToken());
        Golden g = new Golden(asAdmin);
        g.note("an admin's own list is empty; --all shows everyone's with an OWNER column");
        g.run("list");
        g.run("list", "--all", "--template", "fake");
        g.run("show", "daves", "--owner", "dave", "-o", "table");
        g.run("stop", "daves", "--owner", "dave", "--wait");
        g.note("a user cannot see another user's workspace");
        g.as(asCarol).run("show", "daves", "--owner", "dave");
        g.as(asCarol).run("list", "--all");
        g.note("back to the admin");
        g.as(asAdmin).run("list", "--all", "--phase", "Stopped");
        g.assertMatches("admin-list-all");
    }
}
