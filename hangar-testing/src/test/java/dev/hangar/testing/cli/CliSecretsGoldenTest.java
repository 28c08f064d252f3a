package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.server.SecretSettings;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar secret set|list|delete} against the real server (3 secrets per user): from a file
 * and from standard input, the list that never shows a value, another user's view, bad input.
 */
class CliSecretsGoldenTest {
    private TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeEach
    void start() {
        cp = TestControlPlane.builder()
                .configure(c -> c.withSecrets(new SecretSettings(c.secrets().keyFile(), 3)))
                .start();
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private CliHarness as(String token) {
        return new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", token);
    }

    @Test
    void setListDeleteNeverShowingAValue() throws IOException {
        CliHarness alice = as(cp.createUser("alice", Role.MEMBER).token());
        CliHarness bob = as(cp.createUser("bob", Role.MEMBER).token());
        Path file = home.resolve("gh-token.txt");
        Files.writeString(file, "ghp_golden-value-file\n");
        Path big = home.resolve("big.bin");
        Files.write(big, new byte[64 * 1024 + 1]);
        Golden g = new Golden(alice).literal(home.toString(), "<dir>");
        g.note("from a file, and from standard input with '--from-file -'");
        g.run("secret", "set", "github-token", "--from-file", file.toString());
        alice.stdin("golden-value-stdin");
        g.run("secret", "set", "npmrc", "--from-file", "-");
        g.note("the list shows names, sizes and times, never values");
        g.run("secret", "list");
        CliHarness.Result json = g.run("secret", "list", "-o", "json");
        g.note("another user sees none of them and cannot delete them");
        g.as(bob).run("secret", "list");
        g.run("secret", "delete", "github-token");
        g.note("bad input");
        g.as(alice).run("secret", "set", "Bad_Name", "--from-file", file.toString());
        g.run("secret", "set", "big", "--from-file", big.toString());
        g.run("secret", "set", "none", "--from-file", home.resolve("missing").toString());
        g.run("secret", "set", "no-file");
        g.run("secret", "set", "third", "--from-file", file.toString());
        g.note("past the per-user limit (3 here)");
        g.run("secret", "set", "fourth", "--from-file", file.toString());
        g.note("delete");
        g.run("secret", "delete", "npmrc");
        g.run("secret", "delete", "npmrc");
        g.run("secret", "list");
        g.assertMatches("secrets");
        assertThat(json.out()).doesNotContain("golden-value");
    }
}
