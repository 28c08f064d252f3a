package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.testfixtures.HostCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of {@code hangar board}, {@code hangar autoinstall} and {@code hangar seed-iso}
 * (they need no server): the message says what to fix, the exit code says which kind of error,
 * and nothing is printed on standard output. Temporary paths are masked as {@code <tmp>}.
 */
class CliBoardsGoldenTest {
    @TempDir
    Path home;

    @TempDir
    Path tmp;

    @Test
    void badInput() throws Exception {
        HostCommands.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "golden", "-f", tmp + "/id"))
                .orThrow("ssh-keygen");
        Files.writeString(tmp.resolve("short-psk"), "s3cret\n");
        Files.writeString(tmp.resolve("psk"), "correct horse battery\n");
        Files.writeString(tmp.resolve("plain-password"), "hunter2\n");
        Files.writeString(tmp.resolve("not-a-key.pub"), "ssh-ed25519 bm90IGEga2V5 me@host\n");
        Files.writeString(tmp.resolve("t"), "label: dos\nstart=2048, type=83\n");
        HostCommands.run(List.of(
                        "bash",
                        "-c",
                        "truncate -s 8M " + tmp + "/linux.img && sfdisk -q " + tmp + "/linux.img < " + tmp + "/t"))
                .orThrow("sfdisk");
        Files.createDirectories(tmp.resolve("half-seed"));
        Files.writeString(tmp.resolve("half-seed/user-data"), "#cloud-config\n");

        Golden g = new Golden(new CliHarness(home)).literal(tmp.toString(), "<tmp>");
        String[] ok = words("--user pirate --key <tmp>/id.pub --out <tmp>/out");
        g.note("board user-data: host name, user, key file");
        run(g, ExitCodes.BAD_INPUT, words("board user-data --hostname bee42_crew", ok));
        run(g, ExitCodes.BAD_INPUT, words("board user-data --hostname bee42.local", ok));
        run(g, ExitCodes.BAD_INPUT, words("board user-data --hostname pi --user root --key <tmp>/id.pub"));
        run(g, ExitCodes.BAD_INPUT, words("board user-data --hostname pi --user pirate --key <tmp>/id"));
        run(g, ExitCodes.BAD_INPUT, words("board user-data --hostname pi --user pirate --key <tmp>/nope.pub"));
        run(g, ExitCodes.BAD_INPUT, words("board user-data --hostname pi --user pirate --key <tmp>/not-a-key.pub"));
        g.note("board user-data: Wi-Fi (the passphrase is never shown)");
        run(g, ExitCodes.USAGE, words("board user-data --hostname pi --wifi-ssid bee42", ok));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words("board user-data --hostname pi --wifi-ssid bee42 --wifi-psk-file <tmp>/short-psk", ok));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words(
                        "board user-data --hostname pi --wifi-ssid bee42 --wifi-psk-file <tmp>/psk --wifi-country Germany",
                        ok));
        g.note("board user-data: static address");
        run(g, ExitCodes.USAGE, words("board user-data --hostname pi --gateway 192.168.0.1", ok));
        run(g, ExitCodes.USAGE, words("board user-data --hostname pi --address 192.168.0.11/24", ok));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words("board user-data --hostname pi --address 192.168.0.11 --gateway 192.168.0.1", ok));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words("board user-data --hostname pi --address 192.168.0.11/24 --gateway router.lan", ok));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words("board user-data --hostname pi --address 192.168.0.11/24 --gateway 10.0.0.1", ok));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words(
                        "board user-data --hostname pi --address 192.168.0.11/24 --gateway 192.168.0.1 --dns dns.lan",
                        ok));
        assertThat(tmp.resolve("out")).doesNotExist();

        g.note("board flash: images and board sets");
        String[] flash = words("--user pirate --key <tmp>/id.pub");
        run(g, ExitCodes.BAD_INPUT, words("board flash <tmp>/missing.img --hostname pi", flash));
        run(g, ExitCodes.BAD_INPUT, words("board flash <tmp>/linux.img --hostname pi", flash));
        run(g, ExitCodes.USAGE, words("board flash <tmp>/linux.img", flash));
        run(g, ExitCodes.USAGE, words("board flash <tmp>/linux.img --hostname pi --count 3", flash));
        run(g, ExitCodes.USAGE, words("board flash <tmp>/linux.img --count 3 --hostname-pattern bee42-crew", flash));
        run(g, ExitCodes.USAGE, words("board flash <tmp>/linux.img --count 2 --hostname-pattern bee42-%s-%d", flash));
        run(
                g,
                ExitCodes.USAGE,
                words("board flash <tmp>/linux.img <tmp>/linux.img --count 3 --hostname-pattern pi-%d", flash));
        run(g, ExitCodes.USAGE, words("board flash <tmp>/linux.img --count 0 --hostname-pattern pi-%d", flash));
        run(
                g,
                ExitCodes.BAD_INPUT,
                words(
                        "board flash <tmp>/linux.img --count 3 --hostname-pattern pi-%d"
                                + " --address 192.168.0.253/24 --gateway 192.168.0.1",
                        flash));
        assertThat(tmp.resolve("linux-001.img")).doesNotExist();

        g.note("board inventory");
        run(
                g,
                ExitCodes.BAD_INPUT,
                words("board inventory --count 2 --hostname-pattern pi-%d --user pirate --masters 3"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                "board",
                "inventory",
                "--hostname",
                "pi",
                "--user",
                "pirate",
                "--cluster",
                "cluster 1");

        g.note("autoinstall user-data");
        String install = "autoinstall user-data --hostname vm --user ansible --key <tmp>/id.pub";
        run(g, ExitCodes.BAD_INPUT, words(install + " --password-hash-file <tmp>/plain-password"));
        run(g, ExitCodes.BAD_INPUT, words(install + " --package", "Not A Package"));
        run(g, ExitCodes.USAGE, words(install + " --storage zfs"));

        g.note("seed-iso");
        run(g, ExitCodes.BAD_INPUT, words("seed-iso <tmp>/half-seed -o <tmp>/cidata.iso"));
        run(g, ExitCodes.BAD_INPUT, words("seed-iso <tmp>/no-such-dir -o <tmp>/cidata.iso"));
        run(g, ExitCodes.USAGE, words("seed-iso <tmp>/half-seed"));
        assertThat(tmp.resolve("cidata.iso")).doesNotExist();

        g.assertMatches("boards-bad-input");
    }

    private static void run(Golden g, int expectedCode, String... args) {
        CliHarness.Result r = g.run(args);
        assertThat(r.code()).as(r.toString()).isEqualTo(expectedCode);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.err()).as("the passphrase never shows").doesNotContain("s3cret");
    }

    /**
     * @param line arguments separated by single spaces, {@code <tmp>} standing for the temporary
     *     directory (no argument of {@code line} contains a space)
     * @param more arguments appended as they are
     * @return the arguments of {@code line} followed by {@code more}
     */
    private String[] words(String line, String... more) {
        List<String> all = new java.util.ArrayList<>(
                List.of(line.replace("<tmp>", tmp.toString()).split(" ")));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
