package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar user ...} and {@code hangar token ...} against the real server, with a control
 * plane per test so the user list is predictable. Token secrets are masked as {@code <token>}.
 */
class CliUsersGoldenTest {
    private static final String TOKEN = "hgr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}";

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

    @Test
    void adminManagesUsers() {
        CliHarness admin = as(cp.adminToken());
        Golden g = new Golden(admin).mask(TOKEN, "<token>");
        g.note("an admin creates users; each gets a first token, printed once");
        CliHarness.Result alice = g.run("user", "create", "alice");
        assertThat(alice.out().strip()).matches(TOKEN);
        g.run("user", "create", "audrey", "--role", "auditor");
        g.note("bad input names the field");
        g.run("user", "create", "Not_Valid");
        g.run("user", "create", "bob", "--role", "boss");
        g.run("user", "create", "alice");
        g.run("user", "list");
        g.note("disabling is reversible; the last admin cannot be disabled");
        g.run("user", "disable", "alice");
        g.as(as(alice.out().strip())).run("list");
        g.as(admin).run("user", "list", "-o", "json");
        g.run("user", "enable", "alice");
        g.run("user", "disable", "admin");
        g.note("members may not manage users");
        g.as(as(alice.out().strip())).run("user", "list");
        g.run("create", "dev", "--template", "fake", "--wait");
        g.note("a user who owns workspaces is deleted only with --transfer-to or --delete-workspaces");
        g.as(admin).run("user", "delete", "alice");
        g.run("user", "delete", "alice", "--transfer-to", "nobody");
        g.run("user", "delete", "alice", "--transfer-to", "audrey");
        g.run("list", "--all");
        g.run("user", "list");
        g.assertMatches("users");
    }

    @Test
    void everyoneManagesTheirOwnTokens() {
        CliHarness carol = as(cp.createUser("carol", false).token());
        Golden g = new Golden(carol).mask(TOKEN, "<token>");
        g.run("token", "create", "--name", "ci", "--expires", "30d");
        g.run("token", "create", "--name", "laptop");
        g.note("bad input names the field");
        g.run("token", "create", "--name", "ci");
        g.run("token", "create", "--name", "nightly", "--expires", "soon");
        g.run("token", "create", "--name", "Bad_Name");
        g.run("token", "list");
        g.run("token", "revoke", "ci");
        g.run("token", "revoke", "ci");
        g.run("token", "list", "-o", "json");
        g.assertMatches("tokens");
    }
}
