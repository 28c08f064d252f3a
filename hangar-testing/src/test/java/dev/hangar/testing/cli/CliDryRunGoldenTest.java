package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.testing.ClusterlessControlPlane;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar create --dry-run} against the real server with the real kubernetes and kubevirt
 * providers pointed at a cluster that is not there ({@link ClusterlessControlPlane}), compared with
 * the golden transcript {@code create-dry-run}: the objects in YAML (the default) and JSON, secret
 * values redacted, nothing created, and the refusals (a qemu template, {@code --wait}, {@code -o
 * table}). Values that are random per run (the host key's public half and certificate in the Pod's
 * Secret, the hash of that Secret) are masked.
 */
class CliDryRunGoldenTest {
    private static TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        cp = ClusterlessControlPlane.start();
    }

    @AfterAll
    static void stop() {
        if (cp != null) cp.close();
    }

    @Test
    void createDryRun() {
        TestControlPlane.Credentials c = cp.createUser("dry", false);
        CliHarness cli =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", c.token());
        Golden g = new Golden(cli)
                .literal(home.toString(), "<home>")
                .mask(
                        "(\"?ssh_host_ed25519_key(?:\\.pub|-cert\\.pub)\"?\\s*: )(\"?)[A-Za-z0-9+/=]+\"?",
                        "$1$2<base64>$2")
                .mask("(\"?hangar\\.dev/ssh-config-hash\"?\\s*: )(\"?)[0-9a-f]{16}\"?", "$1$2<hash>$2");
        g.run("create", "vm1", "--template", "kubevirt-debian-12", "--cpus", "4", "--dry-run");
        g.run("create", "pod1", "--template", "pod", "--dry-run", "-o", "json");
        g.run("create", "old", "--template", "debian-12", "--dry-run");
        g.run("create", "vm1", "--template", "kubevirt-debian-12", "--dry-run", "--wait");
        g.run("create", "vm1", "--template", "kubevirt-debian-12", "--dry-run", "-o", "table");
        g.run("create", "vm1", "--template", "kubevirt-debian-12", "--memory", "1", "--dry-run");
        g.note("nothing was created");
        g.run("list");
        g.assertMatches("create-dry-run");
    }

    /**
     * {@code --dry-run} with a local {@code --devcontainer} folder is refused before anything is sent:
     * no devcontainer workspace has Kubernetes objects, so uploading the folder would be for nothing.
     * What arrived is read on the server's side: its upload folder for the user; the same command
     * without {@code --dry-run} shows that an upload does land there.
     */
    @Test
    void aDryRunWithALocalDevcontainerFolderSendsNothing() throws java.io.IOException {
        TestControlPlane.Credentials c = cp.createUser("dry-dc", false);
        CliHarness cli =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", c.token());
        Path project = home.resolve("project");
        java.nio.file.Files.createDirectories(project.resolve(".devcontainer"));
        java.nio.file.Files.writeString(
                project.resolve(".devcontainer/devcontainer.json"), "{\"image\": \"debian:12\"}\n");
        Path uploads = cp.home().resolve("devcontainer-uploads").resolve("dry-dc");

        CliHarness.Result dry =
                cli.run("create", "dc1", "--template", "pod", "--devcontainer", project.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isEqualTo(2);
        assertThat(dry.err())
                .contains("--dry-run prints Kubernetes objects, and a --devcontainer workspace (docker provider)"
                        + " has none; leave out --dry-run or --devcontainer");
        assertThat(uploads).doesNotExist();

        // without --dry-run the folder is uploaded first (then the pod template is refused)
        CliHarness.Result real = cli.run("create", "dc1", "--template", "pod", "--devcontainer", project.toString());
        assertThat(real.code()).as(real.toString()).isNotZero();
        assertThat(real.err()).contains("docker provider");
        assertThat(uploads).isNotEmptyDirectory();
        assertThat(cli.run("list").out()).doesNotContain("dc1");
    }
}
