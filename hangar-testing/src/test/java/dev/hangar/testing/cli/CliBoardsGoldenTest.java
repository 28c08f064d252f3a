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
        String key = tmp + "/id.pub";
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
        String[] ok = {"--user", "pirate", "--key", key, "--out", tmp + "/out"};
        g.note("board user-data: host name, user, key file");
        run(g, ExitCodes.BAD_INPUT, with(ok, "board", "user-data", "--hostname", "bee42_crew"));
        run(g, ExitCodes.BAD_INPUT, with(ok, "board", "user-data", "--hostname", "bee42.local"));
        run(g, ExitCodes.BAD_INPUT, "board", "user-data", "--hostname", "pi", "--user", "root", "--key", key);
        run(g, ExitCodes.BAD_INPUT, "board", "user-data", "--hostname", "pi", "--user", "pirate", "--key", tmp + "/id");
        run(
                g,
                ExitCodes.BAD_INPUT,
                "board",
                "user-data",
                "--hostname",
                "pi",
                "--user",
                "pirate",
                "--key",
                tmp + "/nope.pub");
        run(
                g,
                ExitCodes.BAD_INPUT,
                "board",
                "user-data",
                "--hostname",
                "pi",
                "--user",
                "pirate",
                "--key",
                tmp + "/not-a-key.pub");
        g.note("board user-data: Wi-Fi (the passphrase is never shown)");
        run(g, ExitCodes.USAGE, with(ok, "board", "user-data", "--hostname", "pi", "--wifi-ssid", "bee42"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        ok,
                        "board",
                        "user-data",
                        "--hostname",
                        "pi",
                        "--wifi-ssid",
                        "bee42",
                        "--wifi-psk-file",
                        tmp + "/short-psk"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        ok,
                        "board",
                        "user-data",
                        "--hostname",
                        "pi",
                        "--wifi-ssid",
                        "bee42",
                        "--wifi-psk-file",
                        tmp + "/psk",
                        "--wifi-country",
                        "Germany"));
        g.note("board user-data: static address");
        run(g, ExitCodes.USAGE, with(ok, "board", "user-data", "--hostname", "pi", "--gateway", "192.168.0.1"));
        run(g, ExitCodes.USAGE, with(ok, "board", "user-data", "--hostname", "pi", "--address", "192.168.0.11/24"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        ok,
                        "board",
                        "user-data",
                        "--hostname",
                        "pi",
                        "--address",
                        "192.168.0.11",
                        "--gateway",
                        "192.168.0.1"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        ok,
                        "board",
                        "user-data",
                        "--hostname",
                        "pi",
                        "--address",
                        "192.168.0.11/24",
                        "--gateway",
                        "router.lan"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        ok,
                        "board",
                        "user-data",
                        "--hostname",
                        "pi",
                        "--address",
                        "192.168.0.11/24",
                        "--gateway",
                        "10.0.0.1"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        ok,
                        "board",
                        "user-data",
                        "--hostname",
                        "pi",
                        "--address",
                        "192.168.0.11/24",
                        "--gateway",
                        "192.168.0.1",
                        "--dns",
                        "dns.lan"));
        assertThat(tmp.resolve("out")).doesNotExist();

        g.note("board flash: images and board sets");
        String[] flash = {"--user", "pirate", "--key", key};
        run(g, ExitCodes.BAD_INPUT, with(flash, "board", "flash", tmp + "/missing.img", "--hostname", "pi"));
        run(g, ExitCodes.BAD_INPUT, with(flash, "board", "flash", tmp + "/linux.img", "--hostname", "pi"));
        run(g, ExitCodes.USAGE, with(flash, "board", "flash", tmp + "/linux.img"));
        run(g, ExitCodes.USAGE, with(flash, "board", "flash", tmp + "/linux.img", "--hostname", "pi", "--count", "3"));
        run(
                g,
                ExitCodes.USAGE,
                with(flash, "board", "flash", tmp + "/linux.img", "--count", "3", "--hostname-pattern", "bee42-crew"));
        run(
                g,
                ExitCodes.USAGE,
                with(flash, "board", "flash", tmp + "/linux.img", "--count", "2", "--hostname-pattern", "bee42-%s-%d"));
        run(
                g,
                ExitCodes.USAGE,
                with(
                        flash,
                        "board",
                        "flash",
                        tmp + "/linux.img",
                        tmp + "/linux.img",
                        "--count",
                        "3",
                        "--hostname-pattern",
                        "pi-%d"));
        run(
                g,
                ExitCodes.USAGE,
                with(flash, "board", "flash", tmp + "/linux.img", "--count", "0", "--hostname-pattern", "pi-%d"));
        run(
                g,
                ExitCodes.BAD_INPUT,
                with(
                        flash,
                        "board",
                        "flash",
                        tmp + "/linux.img",
                        "--count",
                        "3",
                        "--hostname-pattern",
                        "pi-%d",
                        "--address",
                        "192.168.0.253/24",
                        "--gateway",
                        "192.168.0.1"));
        assertThat(tmp.resolve("linux-001.img")).doesNotExist();

        g.note("board inventory");
        run(
                g,
                ExitCodes.BAD_INPUT,
                "board",
                "inventory",
                "--count",
                "2",
                "--hostname-pattern",
                "pi-%d",
                "--user",
                "pirate",
                "--masters",
                "3");
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
        String[] install = {"autoinstall", "user-data", "--hostname", "vm", "--user", "ansible", "--key", key};
        run(g, ExitCodes.BAD_INPUT, then(install, "--password-hash-file", tmp + "/plain-password"));
        run(g, ExitCodes.BAD_INPUT, then(install, "--package", "Not A Package"));
        run(g, ExitCodes.USAGE, then(install, "--storage", "zfs"));

        g.note("seed-iso");
        run(g, ExitCodes.BAD_INPUT, "seed-iso", tmp + "/half-seed", "-o", tmp + "/cidata.iso");
        run(g, ExitCodes.BAD_INPUT, "seed-iso", tmp + "/no-such-dir", "-o", tmp + "/cidata.iso");
        run(g, ExitCodes.USAGE, "seed-iso", tmp + "/half-seed");
        assertThat(tmp.resolve("cidata.iso")).doesNotExist();

        g.assertMatches("boards-bad-input");
    }

    private static void run(Golden g, int expectedCode, String... args) {
        CliHarness.Result r = g.run(args);
        assertThat(r.code()).as(r.toString()).isEqualTo(expectedCode);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.err()).as("the passphrase never shows").doesNotContain("s3cret");
    }

    /** @return {@code first} followed by {@code more} */
    private static String[] then(String[] first, String... more) {
        return with(more, first);
    }

    /** @return {@code args} followed by {@code common} */
    private static String[] with(String[] common, String... args) {
        String[] all = new String[args.length + common.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        return all;
    }
}
