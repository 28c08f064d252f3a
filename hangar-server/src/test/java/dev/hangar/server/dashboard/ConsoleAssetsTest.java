package dev.hangar.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.server.HangarServer;
import dev.hangar.server.ServerConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser console's files come from the jar over a real socket: xterm.js and its fit addon as
 * the build copied them from npm (with xterm.js's license), the page's own script and style; only
 * the listed files are served. The console itself is tested in a browser by {@code
 * ConsoleBrowserTest} (hangar-testing).
 */
class ConsoleAssetsTest {
    @TempDir
    static Path home;

    private static HangarServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.defaults(home, Map.of("USER", "consoleassets"))
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
        server = HangarServer.builder(config).discoverProviders(false).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void xtermAndTheConsoleScriptAreServedFromTheJar() throws Exception {
        HttpResponse<String> xterm = get("/ui/static/xterm/xterm.js");
        assertThat(xterm.statusCode()).isEqualTo(200);
        assertThat(xterm.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(xterm.body()).contains("Terminal").hasSizeGreaterThan(100_000);
        assertThat(get("/ui/static/xterm/addon-fit.js").body()).contains("FitAddon");
        assertThat(get("/ui/static/xterm/xterm.css").body()).contains(".xterm");
        assertThat(get("/ui/static/xterm/LICENSE").body())
                .contains("The xterm.js authors", "Permission is hereby granted");
        assertThat(get("/ui/static/console.js").body()).contains("new WebSocket", "data-style-nonce");
        assertThat(get("/ui/static/console.css").statusCode()).isEqualTo(200);
        // only listed files: no source maps, no package metadata, no path tricks
        for (String unlisted : new String[] {
            "/ui/static/xterm/xterm.js.map", "/ui/static/xterm/package.json", "/ui/static/xterm/lib%2Fxterm.js"
        }) {
            assertThat(get(unlisted).statusCode()).as(unlisted).isEqualTo(404);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.baseUri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
