package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.api.client.ServerUnreachableException;
import dev.hangar.cli.CliHarness;
import dev.hangar.testfixtures.FailFast;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar server} as a user runs it: a separate JVM started through the CLI's {@code main}
 * (which finds the server reflectively), then the CLI in-process against it, reading the token
 * the server wrote on first start. The JVM must keep running after {@code main} returns.
 */
class CliServerCommandTest {
    @TempDir
    Path home;

    @Test
    void serverCommandStartsTheControlPlaneAndTheCliFindsItThroughTheConfig() throws Exception {
        Path hangarHome = home.resolve("hangar");
        Path log = home.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.hangar.cli.Main",
                        "server",
                        // Hermetic: free ports for the API and the SSH gateway (whose default, 2222, may
                        // be held by anything else on the machine); the URL is read from the log.
                        "--listen",
                        "127.0.0.1:0",
                        "--set",
                        "gateway.listen-port=0",
                        // No provider is on this class path except the test fake, which the shipped
                        // server cannot select: start without the built-in templates.
                        "--set",
                        "templates.builtin=false")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // none of the developer's or CI's HANGAR_* settings leak into the test's server
        pb.environment().keySet().removeIf(k -> k.startsWith("HANGAR_"));
        pb.environment().put("HANGAR_HOME", hangarHome.toString());
        Process server = pb.start();
        try {
            Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
            await("the server logs its URL")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .failFast(FailFast.unless("server exited", server::isAlive, () -> "its log:\n" + logOf(log)))
                    .until(() -> listening.matcher(logOf(log)).find());
            Matcher m = listening.matcher(logOf(log));
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            assertThat(port).isPositive();
            String url = "http://127.0.0.1:" + port;
            try (HangarClient probe = new HangarClient(ClientSettings.of(url, ""))) {
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(200))
                        .ignoreException(ServerUnreachableException.class)
                        .failFast(FailFast.unless("server exited", server::isAlive, () -> "its log:\n" + logOf(log)))
                        .until(probe::ready);
            }
            assertThat(hangarHome.resolve("cli.yaml")).exists();
            CliHarness cli = new CliHarness(home).env("HANGAR_HOME", hangarHome.toString());
            CliHarness.Result list = cli.run("list");
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.err()).isEqualTo("No workspaces found.\n");
            CliHarness.Result version = cli.run("version");
            assertThat(version.out()).contains("server ", " at " + url);
            assertThat(cli.run("template", "list").err()).isEqualTo("No templates found.\n");
            assertThat(server.isAlive())
                    .as("the JVM keeps serving after main returned")
                    .isTrue();
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
        }
    }

    @Test
    void aTakenGatewayPortStopsTheServerOnceBeforeItWritesCliYaml() throws Exception {
        Path hangarHome = home.resolve("hangar");
        int apiPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            apiPort = s.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(
                            java,
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "dev.hangar.cli.Main",
                            "server",
                            "--listen",
                            "127.0.0.1:" + apiPort,
                            "--set",
                            "templates.builtin=false",
                            "--set",
                            "gateway.listen-port=" + taken.getLocalPort())
                    .redirectErrorStream(true);
            pb.environment().put("HANGAR_HOME", hangarHome.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(2);
            assertThat(out)
                    .contains("hangar server: cannot start the SSH gateway on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .contains("(set gateway.listen-port to a free port, or gateway.enabled: false)");
            assertThat(out.split("cannot start the SSH gateway", -1)).as(out).hasSize(2);
            assertThat(out).doesNotContain("first start: created admin user");
        }
        assertThat(hangarHome.resolve("cli.yaml")).doesNotExist();
    }

    @Test
    void serverHelpGoesToTheServer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), "dev.hangar.cli.Main", "server", "--help")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("Usage: hangar server [--listen HOST:PORT]");
    }

    private static String logOf(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
