package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against the real server ({@link TestControlPlane}: HTTP over loopback, SQLite, the
 * reconciler driving the fake provider), compared with golden transcripts. Each test acts as its
 * own user, so its listings do not see other tests' workspaces.
 */
class CliWorkspaceGoldenTest {
    private static TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private Golden golden(String user) {
        TestControlPlane.Credentials c = cp.createUser(user, false);
        CliHarness cli =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", c.token());
        return new Golden(cli).literal(home.toString(), "<home>");
    }

    @Test
    void workspaceLifecycle() {
        Golden g = golden("life");
        g.run("template", "list");
        g.run("create", "dev", "--template", "fake", "--cpus", "2", "--memory", "1GiB", "--disk", "2", "--wait");
        g.run("create", "small", "--template", "fake");
        g.note("start is idempotent: here it only waits until small is Running");
        g.run("start", "small", "--wait");
        g.run("list");
        g.run("show", "dev");
        g.run("show", "dev", "-o", "json");
        g.run("show", "dev", "-o", "yaml");
        g.run("stop", "dev", "--wait");
        g.run("list", "--phase", "stopped");
        g.run("start", "dev", "--wait");
        g.run("restart", "dev", "--wait");
        g.run("events", "dev");
        g.run("stop", "small", "--wait");
        g.run("events", "small", "--limit", "1", "-o", "json");
        g.run("delete", "dev", "--yes", "--wait");
        g.run("delete", "small", "--yes", "--wait");
        g.run("ls");
        g.run("ls", "-o", "json");
        g.assertMatches("workspace-lifecycle");
    }

    @Test
    void templates() {
        Golden g = golden("tmpl");
        g.run("template", "list", "-o", "yaml");
        g.run("template", "show", "fake");
        g.run("template", "show", "fake", "-o", "json");
        g.run("template", "show", "fake", "-o", "table");
        g.run("template", "show", "nope");
        g.assertMatches("templates");
    }

    @Test
    void sshKeys() throws IOException {
        Golden g = golden("keys");
        Path ed25519 = keyFile("ed25519.pub");
        Path ecdsa = keyFile("ecdsa.pub");
        Path weak = keyFile("rsa2048.pub");
        g.literal(ed25519.getParent().toString(), "<keys>");
        g.run("key", "list");
        g.run("key", "add", ed25519.toString());
        g.note("the same key again");
        g.run("key", "add", ed25519.toString());
        g.note("from standard input");
        g.cli().stdin(Files.readString(ecdsa));
        g.run("key", "add", "-");
        g.run("key", "list");
        g.run("key", "add", weak.toString());
        g.run("key", "remove", "SHA256:wq1YRvXtrOMwH6MH7cXIym2nRkMJWDIRTfpNBTAl8Ow");
        g.run("key", "list", "-o", "yaml");
        g.run("key", "remove", "SHA256:wq1YRvXtrOMwH6MH7cXIym2nRkMJWDIRTfpNBTAl8Ow");
        g.assertMatches("ssh-keys");
    }

    @Test
    void defaultKeyIsTakenFromTheUsersSshDirectory() throws IOException {
        Golden g = golden("defkey");
        Files.createDirectories(home.resolve(".ssh"));
        Files.copy(keyFile("ecdsa-default.pub"), home.resolve(".ssh/id_ecdsa.pub"));
        g.note("no id_ed25519.pub: id_ecdsa.pub is next");
        g.run("key", "add");
        g.run("key", "list");
        g.assertMatches("ssh-key-default");
    }

    @Test
    void badInput() throws IOException {
        Golden g = golden("bad");
        g.run("create", "Bad_Name", "--template", "fake");
        g.run("create", "big", "--template", "fake", "--cpus", "99");
        g.note("--cpus 0 is refused by the server like --cpus 99: same exit code");
        g.run("create", "big", "--template", "fake", "--cpus", "0");
        g.run("create", "big", "--template", "fake", "--memory", "64GiB");
        g.run("create", "x", "--template", "nope");
        g.run("create", "x", "--template", "fake", "--memory", "4GB");
        g.run("create", "x", "--template", "fake", "--disk", "1.5GiB");
        g.note("without --template: the server's default template (here the only one, fake)");
        g.run("create", "dflt");
        Path userData = home.resolve("user-data.yaml");
        Files.writeString(userData, "- just\n- a list\n");
        g.run("create", "x", "--template", "fake", "--user-data", userData.toString());
        g.run(
                "create",
                "x",
                "--template",
                "fake",
                "--user-data",
                home.resolve("missing.yaml").toString());
        Path bigUserData = home.resolve("big-user-data.yaml");
        Files.writeString(bigUserData, "a: " + "x".repeat(20 * 1024) + "\n");
        g.run("create", "x", "--template", "fake", "--user-data", bigUserData.toString());
        Path hugeUserData = home.resolve("huge-user-data.yaml");
        Files.writeString(hugeUserData, "a: " + "x".repeat(70 * 1024) + "\n");
        g.run("create", "x", "--template", "fake", "--user-data", hugeUserData.toString());
        g.run("create", "x", "--template", "fake", "--devcontainer", "server:" + home.resolve("project"));
        g.run(
                "create",
                "x",
                "--template",
                "fake",
                "--devcontainer",
                home.resolve("project").toString());
        g.note("devices (issue #19): the server's field devices[0].* is shown as the --device value");
        g.run("create", "x", "--template", "fake", "--device", "nvidia.com/gpu=1");
        g.run("create", "x", "--template", "fake", "--device", "nvidia.com/gpu");
        g.run("create", "twice", "--template", "fake");
        g.run("create", "twice", "--template", "fake");
        g.run("stop", "twice", "--wait");
        g.run("restart", "twice");
        g.run("show", "ghost");
        g.run("start", "ghost");
        g.run("events", "ghost");
        g.run("events", "twice", "--limit", "0");
        g.run("list", "--phase", "Sleeping");
        g.run("list", "-o", "xml");
        g.note("no terminal and no --yes: refused before contacting the server");
        g.run("delete", "twice");
        g.run("frobnicate");
        g.assertMatches("bad-input");
    }

    @Test
    void wrongTokenIsAnAuthError() {
        CliHarness cli = new CliHarness(home)
                .env("HANGAR_URL", cp.baseUri().toString())
                .env("HANGAR_TOKEN", "hgr_not-a-real-token");
        Golden g = new Golden(cli);
        CliHarness.Result r = g.run("list");
        assertThat(r.code()).isEqualTo(ExitCodes.AUTH);
        g.assertMatches("wrong-token");
    }

    @Test
    void serverUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliHarness cli = new CliHarness(home)
                .env("HANGAR_URL", "http://127.0.0.1:" + port)
                .env("HANGAR_TOKEN", "hgr_x");
        Golden g = new Golden(cli);
        CliHarness.Result r = g.run("list");
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        g.run("version");
        g.assertMatches("server-unreachable");
    }

    private Path keyFile(String name) throws IOException {
        Path dir = home.resolve("keys");
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        if (!Files.exists(p)) Files.copy(Path.of("src/test/resources/golden/keys", name), p);
        return p;
    }
}
