package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.testfixtures.HostCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar board}, {@code hangar autoinstall} and {@code hangar seed-iso} end to end, in
 * process and without a server, checked with the real tools a person would use next: cloud-init's
 * schema check, mtools on a real SD image (sfdisk + mkfs.vfat), isoinfo on the ISO.
 */
class BoardCommandsTest {
    @TempDir
    Path home;

    @TempDir
    Path work;

    private Path key;

    private CliHarness cli() {
        return new CliHarness(home);
    }

    @BeforeEach
    void key() throws Exception {
        key = work.resolve("id_ed25519");
        sh("ssh-keygen -q -t ed25519 -N '' -C board-test -f " + key);
        key = work.resolve("id_ed25519.pub");
    }

    @Test
    void userDataWritesThreeFilesAndNeverShowsThePassphrase() throws Exception {
        Path psk = Files.writeString(work.resolve("psk"), "s3cret-passphrase-42\n");
        Path out = work.resolve("seed");
        CliHarness.Result r = cli().run(
                        "board",
                        "user-data",
                        "--hostname",
                        "bee42-crew-01-001",
                        "--user",
                        "pirate",
                        "--key",
                        key.toString(),
                        "--wifi-ssid",
                        "bee42",
                        "--wifi-psk-file",
                        psk.toString(),
                        "--wifi-country",
                        "de",
                        "--address",
                        "192.168.0.11/24",
                        "--gateway",
                        "192.168.0.1",
                        "--dns",
                        "192.168.0.1",
                        "--out",
                        out.toString());

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out())
                .isEqualTo("wrote " + out.resolve("user-data") + "\nwrote " + out.resolve("meta-data") + "\nwrote "
                        + out.resolve("network-config") + "\n");
        assertThat(r.toString()).doesNotContain("s3cret-passphrase-42");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("network-config"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(out.resolve("network-config")))
                .contains("s3cret-passphrase-42", "192.168.0.11/24", "regulatory-domain: DE");
        sh("cloud-init schema --config-file " + out.resolve("user-data"));
        assertThat(Files.readString(out.resolve("user-data")))
                .contains("hostname: bee42-crew-01-001", "- name: pirate");
        assertThat(Files.readString(out.resolve("meta-data"))).contains("local-hostname: bee42-crew-01-001");
    }

    @Test
    void flashWithCountWritesNumberedCopiesAndInventoryNamesTheSameBoards() throws Exception {
        Path img = work.resolve("raspios.img");
        Files.writeString(work.resolve("table"), "start=2048, size=98304, type=c\nstart=100352, type=83\n");
        sh("truncate -s 64M " + img + " && sfdisk -q " + img + " < " + work.resolve("table")
                + " && mkfs.vfat -F 32 --offset 2048 " + img + " 49152");
        String original = sha256(img);
        String[] boards = {"--count", "3", "--hostname-pattern", "bee42-crew-01-%03d", "--address", "192.168.0.11/24"};

        CliHarness.Result r = cli().run(concat(
                new String[] {"board", "flash", img.toString(), "--user", "pirate", "--key", key.toString()},
                boards,
                new String[] {"--gateway", "192.168.0.1"}));

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(sha256(img)).as("the original image stays as it is").isEqualTo(original);
        for (int i = 1; i <= 3; i++) {
            Path copy = work.resolve("raspios-00" + i + ".img");
            assertThat(r.out())
                    .contains(
                            copy + ": bee42-crew-01-00" + i
                                    + ": wrote user-data, meta-data, network-config, ssh to partition 1 (FAT, at byte 1048576)");
            String userData = sh("mtype -i " + copy + "@@1M ::user-data");
            assertThat(userData).contains("hostname: bee42-crew-01-00" + i);
            assertThat(sh("mtype -i " + copy + "@@1M ::network-config")).contains("192.168.0.1" + i + "/24");
            Path extracted = work.resolve("user-data-" + i);
            Files.writeString(extracted, userData);
            sh("cloud-init schema --config-file " + extracted);
        }
        CliHarness.Result again = cli().run(concat(
                new String[] {"board", "flash", img.toString(), "--user", "pirate", "--key", key.toString()},
                boards,
                new String[] {"--gateway", "192.168.0.1"}));
        assertThat(again.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(again.err())
                .isEqualTo("error: " + work.resolve("raspios-001.img")
                        + " exists; delete it or pass --force to overwrite it\n");

        CliHarness.Result inv = cli().run(concat(new String[] {"board", "inventory", "--user", "pirate"}, boards));
        assertThat(inv.code()).as(inv.toString()).isZero();
        assertThat(inv.out())
                .startsWith("[cluster-1-master]\nbee42-crew-01-001 ansible_host=192.168.0.11\n\n[cluster-1-nodes]\n"
                        + "bee42-crew-01-002 ansible_host=192.168.0.12\nbee42-crew-01-003 ansible_host=192.168.0.13\n")
                .contains("network_address_master=\"192.168.0.11\"");
    }

    @Test
    void autoinstallThenSeedIso() throws Exception {
        Path dir = work.resolve("autoinstall");
        CliHarness.Result r = cli().run(
                        "autoinstall",
                        "user-data",
                        "--hostname",
                        "maibrosvm00",
                        "--user",
                        "ansible",
                        "--key",
                        key.toString(),
                        "--storage",
                        "direct",
                        "--package",
                        "qemu-guest-agent",
                        "--late-command",
                        "echo done > /target/root/done",
                        "--out",
                        dir.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err())
                .isEqualTo("note: no --password-hash-file: the password is an unguessable hash, so ansible logs in"
                        + " with the SSH key only (the console has no password)\n");
        assertThat(Files.readString(dir.resolve("meta-data"))).isEmpty();
        sh("cloud-init schema --config-file " + dir.resolve("user-data"));

        Path iso = work.resolve("cidata.iso");
        CliHarness.Result packed = cli().run("seed-iso", dir.toString(), "-o", iso.toString());
        assertThat(packed.code()).as(packed.toString()).isZero();
        assertThat(packed.out()).isEqualTo("wrote " + iso + " (CIDATA: user-data, meta-data)\n");
        assertThat(sh("isoinfo -d -i " + iso)).contains("Volume id: CIDATA");
        assertThat(sh("isoinfo -R -i " + iso + " -x /user-data")).isEqualTo(Files.readString(dir.resolve("user-data")));
        assertThat(sh("isoinfo -R -i " + iso + " -x /meta-data")).isEmpty();
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    private static String sh(String commandLine) throws Exception {
        return HostCommands.run(List.of("bash", "-c", commandLine + " 2>/dev/null"))
                .orThrow(commandLine)
                .output();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
