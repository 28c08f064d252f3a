package dev.hangar.testing.cli;

import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar lab ...} against the real server with the fake provider: create from flags and
 * from a lab file with {@code --wait}, list, show, the inventory in every form, stop/start,
 * delete (refused without confirmation), and bad input, each with its message and exit code.
 */
class CliLabGoldenTest {
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
    void labLifecycleInventoryAndBadInput() throws IOException {
        CliHarness alice = as(cp.createUser("alice", Role.MEMBER).token());
        CliHarness bob = as(cp.createUser("bob", Role.MEMBER).token());
        Path lab = home.resolve("web.yaml");
        Files.writeString(lab, """
                # a lab file (docs/labs.md)
                template: fake
                vars:
                  app_port: "8080"
                groups:
                  - name: db
                    count: 1
                    vars: {engine: postgres}
                  - name: app
                    count: 2
                    userData: |
                      packages: [nginx]
                """);
        Path unknownKey = home.resolve("unknown-key.yaml");
        Files.writeString(unknownKey, "groups:\n  - name: db\n    count: 1\n    size: large\n");
        Path badUserData = home.resolve("bad-user-data.yaml");
        Files.writeString(
                badUserData, "template: fake\ngroups:\n  - name: db\n    count: 1\n    userData: \"packages: [git\"\n");
        Golden g = new Golden(alice).literal(home.toString(), "<home>");

        g.note("a lab from flags; --wait shows one progress line for all members at a terminal");
        g.run(
                "lab",
                "create",
                "k8s",
                "--template",
                "fake",
                "--group",
                "master=1",
                "--group",
                "nodes=2",
                "--var",
                "fqdn_master=k8s-master-1.hangar",
                "--var",
                "network_address_master=10.213.0.11",
                "--wait");
        g.note("a lab from a file");
        g.run("lab", "create", "web", "-f", lab.toString(), "--wait");
        g.run("lab", "list");
        g.run("lab", "show", "k8s");
        g.run("lab", "show", "web", "-o", "yaml");
        g.note("the inventory: hosts through the gateway with the config-ssh config (host keys checked)");
        g.run("lab", "inventory", "k8s");
        g.run("lab", "inventory", "web", "-o", "yaml");
        g.run("lab", "inventory", "k8s", "--list");
        g.run("lab", "stop", "k8s", "--wait");
        g.run("lab", "start", "k8s", "--wait");
        g.note("bad input: a message naming the field and an exit code; nothing is created");
        g.run("lab", "create", "bad", "--template", "fake", "--group", "nodes=0");
        g.run("lab", "create", "bad", "--template", "fake", "--group", "nodes=21");
        g.run("lab", "create", "bad", "--template", "fake", "--group", "a=1", "--group", "a=2");
        g.run("lab", "create", "bad", "--template", "no-such", "--group", "a=1");
        g.run("lab", "create", "bad", "-f", unknownKey.toString());
        g.run("lab", "create", "bad", "-f", badUserData.toString());
        g.run("lab", "create", "web", "--template", "fake", "--group", "a=1");
        g.run("lab", "create", "bad", "--group", "nodes");
        g.run("lab", "create", "bad");
        g.run("lab", "inventory", "k8s", "-o", "toml");
        g.note("another member's lab is not found");
        g.as(bob).run("lab", "show", "k8s", "--owner", "alice");
        g.run("lab", "list");
        g.note("delete asks first; without a terminal it needs --yes");
        g.as(alice).run("lab", "delete", "k8s");
        g.run("lab", "delete", "k8s", "--yes", "--wait");
        g.run("lab", "list");
        g.run("list");
        g.assertMatches("labs");
    }
}
