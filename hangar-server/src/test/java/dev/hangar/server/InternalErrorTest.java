package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.CliConfig;
import dev.hangar.api.HangarPaths;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unexpected failure behind a route becomes a 500 problem with a generic detail: the
 * exception's message (which could carry internals) stays in the server log.
 */
class InternalErrorTest {

    @Test
    void unexpectedExceptionsAre500WithAGenericDetail(@TempDir Path home) throws Exception {
        ServerConfig config = ServerConfig.defaults(home, Map.of())
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
        // The real SQLite store, except that listing workspaces fails the way a driver bug would.
        HangarServer.Builder b =
                HangarServer.builder(config).discoverProviders(false).storeOpener(c -> failingList(Stores.open(c)));
        try (HangarServer server = b.start()) {
            String token =
                    CliConfig.read(HangarPaths.cliConfig(home)).orElseThrow().token();
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/workspaces"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(r.body())
                    .contains("\"type\":\"https://hangar.dev/problems/internal\"")
                    .contains("the server failed to handle this request")
                    .doesNotContain("internal-detail-42");
        }
    }

    private static Store failingList(Store real) {
        WorkspaceStore ws = (WorkspaceStore) Proxy.newProxyInstance(
                WorkspaceStore.class.getClassLoader(), new Class<?>[] {WorkspaceStore.class}, (p, m, args) -> {
                    // the list route reads summaries (rows without secrets); list is the older path
                    if (m.getName().equals("list") || m.getName().equals("summaries"))
                        throw new IllegalStateException("internal-detail-42");
                    return invoke(m, real.workspaces(), args);
                });
        return (Store) Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (p, m, args) -> m.getName().equals("workspaces") ? ws : invoke(m, real, args));
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
