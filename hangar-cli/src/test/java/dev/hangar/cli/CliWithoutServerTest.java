package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.CliConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLI behaviour that needs no Hangar server: usage errors, local validation, confirmation rules,
 * and what happens when the server cannot be reached (real sockets on loopback). Runs against the
 * real server live in hangar-testing.
 */
class CliWithoutServerTest {
    @TempDir
    Path home;

    private CliHarness cli() {
        return new CliHarness(home).env("HANGAR_TOKEN", "hgr_test");
    }

    /** @return a loopback port nobody listens on (bound, then released) */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        CliHarness.Result r = cli().run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("Usage: hangar [-hV] [COMMAND]", "list, ls", "template, templates", "completion")
                .contains("Exit codes:", "  3   server unreachable", "  7   not authenticated");
        assertThat(cli().run("create", "--help").out()).contains("--memory=SIZE", "Exit codes:");
    }

    @Test
    void everyCommandAnswersVersionWithoutTheNetwork() {
        assertThat(cli().run("-V").out()).matches("hangar \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
        assertThat(cli().run("list", "-V").out()).matches("hangar \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
    }

    @Test
    void noCommandIsAUsageError() {
        CliHarness.Result r = cli().run();
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("error: missing command\n");
    }

    @Test
    void mistypedCommandSuggestsTheRightOne() {
        CliHarness.Result r = cli().run("lst");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("error: unknown command 'lst'\n").contains("hangar ls");
    }

    @Test
    void badSizeIsAUsageErrorNamingTheOption() {
        CliHarness.Result r = cli().run("create", "dev", "--template", "small", "--memory", "4GB");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("""
                        error: Invalid value for option '--memory': memory '4GB': unit 'GB' is not accepted; use MiB or GiB (powers of 1024), e.g. 4096 (MiB) or 4GiB
                        Run 'hangar create --help' for usage.
                        """);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unreachableServerExitsThreeNamingUrlAndHowToStartIt() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();
        CliHarness.Result r = cli().env("HANGAR_URL", url).run("list");
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err())
                .isEqualTo("error: cannot reach the Hangar server at " + url
                        + " (connection refused); start it with 'hangar server' (or 'bin/hangar up'), or set"
                        + " HANGAR_URL to the server's address\n");
    }

    @Test
    void aServerThatNeverAnswersTimesOutAsUnreachable() throws Exception {
        // A real listening socket that accepts and then stays silent, like a hung server.
        try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) accepted.add(s.accept());
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            String url = "http://127.0.0.1:" + s.getLocalPort();
            CliHarness.Result r = cli().env("HANGAR_URL", url)
                    .env("HANGAR_REQUEST_TIMEOUT", "300ms")
                    .run("show", "dev");
            assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err())
                    .startsWith("error: cannot reach the Hangar server at " + url + " (no answer within 300ms)");
            s.close();
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            for (Socket a : accepted) a.close();
        }
    }

    @Test
    void withoutATokenTheCliSaysHowToLogIn() {
        CliHarness.Result r = new CliHarness(home).run("list");
        assertThat(r.code()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err())
                .startsWith("error: no API token: run 'hangar login URL' or set HANGAR_TOKEN")
                .contains("no server has started with this HANGAR_HOME yet", "'bin/hangar up' or 'hangar server'");
    }

    @Test
    void malformedUrlIsBadInput() {
        CliHarness.Result r = cli().env("HANGAR_URL", "ftp://example").run("list");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err())
                .startsWith(
                        "error: server URL 'ftp://example' must be an http(s) URL with a host, e.g. http://127.0.0.1:7080");
    }

    @Test
    void badTimeoutVariableIsBadInput() {
        CliHarness.Result r = cli().env("HANGAR_CONNECT_TIMEOUT", "soon").run("list");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err())
                .isEqualTo(
                        "error: HANGAR_CONNECT_TIMEOUT 'soon' is not a positive duration; write e.g. 30s, 500ms, 10m or 1h\n");
    }

    @Test
    void deleteWithoutTerminalAndWithoutYesIsRefused() {
        CliHarness.Result r = cli().run("delete", "dev");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err())
                .isEqualTo("error: refusing to delete workspace dev without confirmation: standard input is not a"
                        + " terminal; pass --yes\n");
    }

    @Test
    void deleteAtATerminalAsksAndStopsOnNo() {
        CliHarness.Result r = cli().interactive(true).stdin("n\n").run("delete", "dev");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).isEqualTo("Delete workspace dev and its disk? This cannot be undone. [y/N] not deleted\n");
    }

    @Test
    void deleteAtATerminalProceedsOnYes() throws IOException {
        // "y" lets the command go on to the server; none is running, which proves it tried.
        String url = "http://127.0.0.1:" + closedPort();
        CliHarness.Result r =
                cli().env("HANGAR_URL", url).interactive(true).stdin("y\n").run("delete", "dev");
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).startsWith("Delete workspace dev and its disk?").contains("cannot reach");
    }

    @Test
    void keyAddRefusesPrivateKeysAndSaysWhatToPass() throws IOException {
        Path key = home.resolve("id_ed25519");
        Files.writeString(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
        CliHarness.Result r = cli().run("key", "add", key.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err())
                .isEqualTo("error: " + key + " holds a PRIVATE key; pass the public key (the .pub file) instead\n");
    }

    @Test
    void keyAddWithoutFileAndWithoutDefaultKeysExplainsWhatToDo() {
        CliHarness.Result r = cli().run("key", "add");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err())
                .isEqualTo("error: no public key found (looked for id_ed25519.pub, id_ecdsa.pub, id_rsa.pub in "
                        + home.resolve(".ssh") + "); pass a FILE, or create one with: ssh-keygen -t ed25519\n");
    }

    @Test
    void keyRemoveChecksTheFingerprintShape() {
        CliHarness.Result r = cli().run("key", "remove", "MD5:aa:bb");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err())
                .isEqualTo("error: fingerprint 'MD5:aa:bb' must look like SHA256:... (see 'hangar key list')\n");
    }

    @Test
    void loginToAnUnreachableServerWritesNothing() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();
        CliHarness.Result r = new CliHarness(home).stdin("hgr_abc\n").run("login", url);
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(home.resolve("hangar/cli.yaml")).doesNotExist();
    }

    @Test
    void loginWithoutTokenIsAUsageError() {
        CliHarness.Result r = new CliHarness(home).stdin("").run("login", "http://127.0.0.1:1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("error: no token given");
    }

    @Test
    void configFileIsReadAndEnvironmentOverridesIt() throws IOException {
        int port = closedPort();
        new CliConfig("http://127.0.0.1:" + port, "hgr_fromfile").write(home.resolve("hangar/cli.yaml"));
        CliHarness.Result fromFile = new CliHarness(home).run("list");
        assertThat(fromFile.err()).contains("at http://127.0.0.1:" + port + " ");
        int other = closedPort();
        CliHarness.Result overridden = new CliHarness(home)
                .env("HANGAR_URL", "http://127.0.0.1:" + other)
                .run("list");
        assertThat(overridden.err()).contains("at http://127.0.0.1:" + other + " ");
    }

    @Test
    void versionWorksWithoutAServer() throws IOException {
        CliHarness.Result r =
                cli().env("HANGAR_URL", "http://127.0.0.1:" + closedPort()).run("version");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .matches("(?s)hangar \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nserver: not reachable at http://127.0.0.1:\\d+\n");
    }

    @Test
    void serverCommandWithoutTheServerOnTheClassPathSaysSo() {
        // hangar-cli's own test class path does not contain hangar-server: exactly the CLI-only install.
        CliHarness.Result r = cli().run("server", "--listen", "127.0.0.1:0");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err())
                .isEqualTo("error: this installation has no server (dev.hangar.server.Main is not on the class path);"
                        + " install the full Hangar distribution and run its bin/hangar server\n");
    }

    @Test
    void completionScriptCompletesCommandsInRealBash() throws Exception {
        CliHarness.Result r = cli().run("completion", "bash");
        assertThat(r.code()).isZero();
        Path script = home.resolve("hangar.bash");
        Files.writeString(script, r.out());
        // Run the real bash completion function as bash would on "hangar te<TAB>".
        Process p = new ProcessBuilder(
                        "bash",
                        "-c",
                        "source " + script + "; COMP_WORDS=(hangar te); COMP_CWORD=1; COMP_LINE='hangar te';"
                                + " COMP_POINT=9; _complete_hangar; printf '%s\\n' \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().map(String::strip).toList()).contains("template", "templates");
    }
}
