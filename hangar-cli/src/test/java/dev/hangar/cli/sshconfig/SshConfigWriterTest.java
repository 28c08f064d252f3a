package dev.hangar.cli.sshconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshConfigWriterTest {
    private static final String GW_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd1Z2F0ZXdheWtleWdhdGV3YXlrZXlnYXRld2F5a2V5";
    private static final String DEV_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGRldmtleWRldmtleWRldmtleWRldmtleWRldmtleWRldmtl";
    private static final String CA_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNha2V5Y2FrZXljYWtleWNha2V5Y2FrZXljYWtleWNha2V5";
    private static final String WEB_KEY = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=";

    @TempDir
    Path home;

    private SshConfigInput input(List<WorkspaceHostKey> workspaces) {
        return new SshConfigInput(
                new GatewayHost("127.0.0.1", 2222, GW_KEY + " hangar-gateway"),
                "alice",
                home.resolve(".ssh/id_ed25519"),
                workspaces);
    }

    private SshConfigInput input() {
        return input(List.of(new WorkspaceHostKey("web", WEB_KEY), new WorkspaceHostKey("dev", DEV_KEY + " comment")));
    }

    @Test
    void writesAllThreeFilesIntoAnEmptyHomeWithPrivateModes() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);

        SshConfigPlan plan = w.apply(input());

        assertThat(plan.upToDate()).isFalse();
        assertThat(Files.readString(w.userConfig())).isEqualTo("Include " + w.hangarConfig() + "\n");
        assertThat(Files.readString(w.knownHosts()))
                .isEqualTo(SshConfigFiles.HEADER
                        + "[127.0.0.1]:2222 " + GW_KEY + "\n"
                        + "dev.hangar " + DEV_KEY + "\n"
                        + "web.hangar " + WEB_KEY + "\n");
        assertThat(Files.readString(w.hangarConfig()))
                .contains("Host hangar-gateway\n  HostName 127.0.0.1\n  Port 2222\n  User alice\n")
                .contains("Host *.hangar\n  ProxyJump hangar-gateway\n  User alice\n")
                .contains("  IdentityFile " + home.resolve(".ssh/id_ed25519") + "\n")
                .contains("  UserKnownHostsFile " + w.knownHosts() + "\n")
                .contains("  StrictHostKeyChecking yes\n");
        // ssh expands ~ from the password database, not from the home we were given: absolute paths only
        assertThat(Files.readAllLines(w.hangarConfig()))
                .filteredOn(l -> !l.startsWith("#"))
                .noneMatch(l -> l.contains("~"));
        for (Path p : List.of(w.userConfig(), w.hangarConfig(), w.knownHosts())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                    .as(p.toString())
                    .isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".ssh"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".ssh/hangar"))))
                .isEqualTo("rwx------");
    }

    @Test
    void theHostCaBecomesOneCertAuthorityLineForAllWorkspacesBesideThePinnedKeys() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);
        SshConfigInput base = input();
        SshConfigInput in = new SshConfigInput(
                base.gateway(),
                base.user(),
                base.identityFile(),
                base.workspaces(),
                List.of(CA_KEY + " hangar-host-ca", CA_KEY));

        w.apply(in);

        assertThat(Files.readString(w.knownHosts()))
                .isEqualTo(SshConfigFiles.HEADER
                        + "[127.0.0.1]:2222 " + GW_KEY + "\n"
                        + "@cert-authority *.hangar " + CA_KEY + "\n"
                        + "dev.hangar " + DEV_KEY + "\n"
                        + "web.hangar " + WEB_KEY + "\n");
        // the workspace list changes the pinned lines only; the CA line stays, once
        SshConfigInput more = new SshConfigInput(
                in.gateway(),
                in.user(),
                in.identityFile(),
                List.of(new WorkspaceHostKey("dev", DEV_KEY)),
                in.hostCertificateAuthorities());
        assertThat(w.plan(more).upToDate()).isFalse();
        w.apply(more);
        assertThat(Files.readAllLines(w.knownHosts()))
                .containsOnlyOnce("@cert-authority *.hangar " + CA_KEY)
                .doesNotContain("web.hangar " + WEB_KEY);
        assertThat(w.plan(more).upToDate()).isTrue();
        assertThatThrownBy(() -> new SshConfigInput(
                        in.gateway(), in.user(), in.identityFile(), List.of(), List.of("ssh-ed25519")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host CA key");
    }

    @Test
    void insertsTheIncludeAboveTheFirstHostAndKeepsEveryUserLine() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);
        Files.createDirectories(home.resolve(".ssh"));
        String mine = "# my settings\nServerAliveInterval 30\n\n  host=work\n    User me\nHost *\n  ForwardAgent no\n";
        Files.writeString(w.userConfig(), mine);
        Files.setPosixFilePermissions(w.userConfig(), PosixFilePermissions.fromString("rw-r--r--"));

        w.apply(input());

        String after = Files.readString(w.userConfig());
        assertThat(after)
                .isEqualTo("# my settings\nServerAliveInterval 30\n\nInclude " + w.hangarConfig()
                        + "\n  host=work\n    User me\nHost *\n  ForwardAgent no\n");
        assertThat(after.replace("Include " + w.hangarConfig() + "\n", "")).isEqualTo(mine);
        // the user's own mode is kept
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(w.userConfig())))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void insertsAboveAMatchLineAndAppendsWhenThereIsNoBlock() {
        Path cfg = home.resolve(".ssh/hangar/config");
        assertThat(SshConfigFiles.withInclude("Match host x\n  User y\n", cfg, home))
                .isEqualTo("Include " + cfg + "\nMatch host x\n  User y\n");
        assertThat(SshConfigFiles.withInclude("Compression yes", cfg, home))
                .isEqualTo("Compression yes\nInclude " + cfg + "\n");
        // "Hostname" is not a Host line
        assertThat(SshConfigFiles.withInclude("Hostname x\n", cfg, home))
                .isEqualTo("Hostname x\nInclude " + cfg + "\n");
    }

    @Test
    void anExistingIncludeInAnyAcceptedFormIsKept() {
        Path cfg = home.resolve(".ssh/hangar/config");
        for (String existing : List.of(
                "Include ~/.ssh/hangar/config\nHost a\n",
                "include " + cfg + "\n",
                "Include \"" + cfg + "\"\n",
                "Include=hangar/config\n")) {
            assertThat(SshConfigFiles.withInclude(existing, cfg, home))
                    .as(existing)
                    .isEqualTo(existing);
        }
    }

    @Test
    void runningTwiceChangesNothing() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);
        w.apply(input());
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        for (Path p : List.of(w.userConfig(), w.hangarConfig(), w.knownHosts())) Files.setLastModifiedTime(p, old);

        SshConfigPlan second = w.apply(input());

        assertThat(second.upToDate()).isTrue();
        assertThat(second.diff()).isEmpty();
        for (Path p : List.of(w.userConfig(), w.hangarConfig(), w.knownHosts())) {
            assertThat(Files.getLastModifiedTime(p)).as(p.toString()).isEqualTo(old);
        }
        try (var files = Files.list(home.resolve(".ssh/hangar"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config", "known_hosts");
        }
    }

    @Test
    void theDryRunWritesNothingAndShowsAUnifiedDiff() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(w.userConfig(), "Host work\n  User me\n");

        SshConfigPlan plan = w.plan(input());

        assertThat(Files.exists(w.hangarConfig())).isFalse();
        assertThat(Files.readString(w.userConfig())).isEqualTo("Host work\n  User me\n");
        assertThat(plan.diff())
                .contains("--- /dev/null\n+++ " + w.knownHosts() + "\n")
                .contains("+dev.hangar " + DEV_KEY + "\n")
                .contains("--- " + w.userConfig() + "\n+++ " + w.userConfig() + "\n@@ -1,2 +1,3 @@\n+Include "
                        + w.hangarConfig() + "\n Host work\n   User me\n");
    }

    @Test
    void aChangedWorkspaceListRewritesOnlyKnownHosts() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);
        w.apply(input());

        SshConfigPlan plan = w.apply(input(List.of(new WorkspaceHostKey("dev", DEV_KEY))));

        assertThat(plan.files())
                .filteredOn(FileChange::changed)
                .extracting(FileChange::path)
                .containsExactly(w.knownHosts());
        assertThat(plan.diff()).contains("-web.hangar " + WEB_KEY);
        assertThat(Files.readString(w.knownHosts())).doesNotContain("web.hangar");
    }

    @Test
    void aSymlinkedUserConfigStaysALinkAndItsTargetIsEdited() throws IOException {
        SshConfigWriter w = new SshConfigWriter(home);
        Path dotfiles = Files.createDirectories(home.resolve("dotfiles"));
        Path real = Files.writeString(dotfiles.resolve("ssh_config"), "Host work\n");
        Files.createDirectories(home.resolve(".ssh"));
        Files.createSymbolicLink(w.userConfig(), real);

        w.apply(input());

        assertThat(Files.isSymbolicLink(w.userConfig())).isTrue();
        assertThat(Files.readString(real)).isEqualTo("Include " + w.hangarConfig() + "\nHost work\n");
    }

    @Test
    void portTwentyTwoIsLookedUpWithoutBrackets() {
        assertThat(new GatewayHost("gw.example.org", 22, GW_KEY).knownHostsName())
                .isEqualTo("gw.example.org");
        assertThat(new GatewayHost("::1", 2222, GW_KEY).knownHostsName()).isEqualTo("[::1]:2222");
    }

    @Test
    void pathsWithBlanksAreQuoted() {
        SshConfigInput in = new SshConfigInput(
                new GatewayHost("127.0.0.1", 2222, GW_KEY), "alice", Path.of("/home/a b/.ssh/id"), List.of());
        assertThat(SshConfigFiles.config(in, Path.of("/home/a b/.ssh/hangar/known_hosts")))
                .contains("  IdentityFile \"/home/a b/.ssh/id\"\n")
                .contains("  UserKnownHostsFile \"/home/a b/.ssh/hangar/known_hosts\"\n");
    }

    @Test
    void badInputIsRejectedWithWhatToFix() {
        assertThatThrownBy(() -> new WorkspaceHostKey("dev", "-----BEGIN OPENSSH PRIVATE KEY-----"))
                .hasMessageContaining("host key of workspace dev is not an OpenSSH public key");
        assertThatThrownBy(() -> new WorkspaceHostKey("dev.hangar.x", DEV_KEY)).hasMessageContaining("without .hangar");
        assertThatThrownBy(() -> new GatewayHost("127.0.0.1", 0, GW_KEY)).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> new GatewayHost("bad host", 22, GW_KEY)).hasMessageContaining("not a host name");
        assertThatThrownBy(() ->
                        new SshConfigInput(new GatewayHost("h", 22, GW_KEY), "alice", Path.of("id_ed25519"), List.of()))
                .hasMessageContaining("absolute path");
        assertThatThrownBy(() -> new SshConfigInput(
                        new GatewayHost("h", 22, GW_KEY),
                        "alice",
                        Path.of("/k"),
                        List.of(new WorkspaceHostKey("dev", DEV_KEY), new WorkspaceHostKey("dev", WEB_KEY))))
                .hasMessageContaining("listed twice");
    }

    @Test
    void forwardPortsBecomeLocalForwardLinesOfThatHostOnly() {
        SshConfigInput in = new SshConfigInput(
                new GatewayHost("127.0.0.1", 2222, GW_KEY),
                "alice",
                Path.of("/k"),
                List.of(
                        new WorkspaceHostKey("web", WEB_KEY, List.of("localhost:3000", "db:5432")),
                        new WorkspaceHostKey("dev", DEV_KEY)));
        String config = SshConfigFiles.config(in, Path.of("/kh"));
        assertThat(config)
                .endsWith("  UpdateHostKeys no\n\nHost web.hangar\n  LocalForward 3000 localhost:3000\n"
                        + "  LocalForward 5432 db:5432\n")
                .doesNotContain("Host dev.hangar");
        assertThat(SshConfigFiles.config(input(), Path.of("/kh"))).doesNotContain("LocalForward");
        assertThatThrownBy(() -> new WorkspaceHostKey("dev", DEV_KEY, List.of("3000")))
                .hasMessageContaining("forwarded port '3000' of workspace dev is not host:port");
    }

    @Test
    void theGatewayHopPrefersAesGcmFromOpenSshsOwnDefaultSetAndTheWorkspaceHopKeepsTheDefaults() throws Exception {
        Path config = home.resolve("config");
        Files.writeString(config, SshConfigFiles.config(input(), home.resolve("kh")));
        // the real client reads the file: it accepts the line, and the gateway hop's set is exactly
        // the client's default set (nothing weaker added, nothing removed), AES-GCM first
        List<String> defaults = sshCiphers(config, "dev.hangar");
        List<String> gateway = sshCiphers(config, SshConfigFiles.GATEWAY_ALIAS);
        assertThat(gateway).containsExactlyInAnyOrderElementsOf(defaults);
        assertThat(gateway.subList(0, 2)).containsExactly("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");
        assertThat(defaults.getFirst()).isNotEqualTo("aes128-gcm@openssh.com");
    }

    /** @return the ciphers {@code ssh -G} resolves for {@code host} with only {@code config} */
    private static List<String> sshCiphers(Path config, String host) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh", "-G", "-F", config.toString(), host)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines()
                .filter(l -> l.startsWith("ciphers "))
                .map(l -> List.of(l.substring("ciphers ".length()).split(",")))
                .findFirst()
                .orElseThrow();
    }
}
