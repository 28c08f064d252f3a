package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document is checked against the routes Javalin really registered (from its router,
 * not a hand-kept list), and is the document the server serves.
 */
class OpenApiRoutesTest {

    @Test
    void specDescribesExactlyTheRegisteredRoutes(@TempDir Path home) throws Exception {
        ServerConfig config = ServerConfig.defaults(home, Map.of())
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
        try (HangarServer server =
                HangarServer.builder(config).discoverProviders(false).start()) {
            HttpResponse<String> served = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/openapi.yaml"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).isEqualTo(200);

            SwaggerParseResult parsed = new OpenAPIParser().readContents(served.body(), null, null);
            assertThat(parsed.getMessages()).as("parser messages").isEmpty();
            OpenAPI api = parsed.getOpenAPI();
            assertThat(api.getOpenapi()).isEqualTo("3.1.0");

            Set<String> documented = new TreeSet<>();
            api.getPaths()
                    .forEach((path, item) -> item.readOperationsMap()
                            .keySet()
                            .forEach(m -> documented.add(m.name().toUpperCase(Locale.ROOT) + " " + path)));
            assertThat(server.routes()).isNotEmpty();
            assertThat(documented).isEqualTo(server.routes());

            // every operation documents its success (101 Switching Protocols for a WebSocket) and, under /api/v1
            // (except the public ones, `security: []`: the spec itself and OIDC sign-in), 401 as problem+json
            Set<String> publicOps = new TreeSet<>();
            api.getPaths()
                    .forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
                        if (path.startsWith("/api/v1/")
                                && op.getSecurity() != null
                                && op.getSecurity().isEmpty()) publicOps.add(method + " " + path);
                    }));
            assertThat(publicOps)
                    .containsExactly(
                            "GET /api/v1/auth/oidc", "GET /api/v1/openapi.yaml", "POST /api/v1/auth/oidc/token");
            api.getPaths()
                    .forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
                        assertThat(op.getOperationId()).as(method + " " + path).isNotBlank();
                        assertThat(op.getResponses().keySet())
                                .as(method + " " + path)
                                .anyMatch(c -> c.startsWith("2") || c.equals("101"));
                        boolean authed = path.startsWith("/api/v1/") && !publicOps.contains(method + " " + path);
                        if (authed) {
                            var unauthorized = op.getResponses().get("401");
                            assertThat(unauthorized)
                                    .as("401 of " + method + " " + path)
                                    .isNotNull();
                            Content c = resolve(api, unauthorized).getContent();
                            assertThat(c).containsKey("application/problem+json");
                        }
                    }));
            assertThat(api.getComponents().getSchemas())
                    .containsKeys(
                            "Problem",
                            "Workspace",
                            "CreateWorkspaceRequest",
                            "Event",
                            "Template",
                            "User",
                            "SshKey",
                            "AddSshKeyRequest",
                            "ServerInfo");
            PathItem ws = api.getPaths().get("/api/v1/workspaces");
            assertThat(ws.getPost().getResponses()).containsKeys("201", "400", "401", "409", "413", "422");
            assertThat(URI.create(api.getServers().getFirst().getUrl()).getHost())
                    .isEqualTo("127.0.0.1");
        }
    }

    private static io.swagger.v3.oas.models.responses.ApiResponse resolve(
            OpenAPI api, io.swagger.v3.oas.models.responses.ApiResponse r) {
        if (r.get$ref() == null) return r;
        String name = r.get$ref().substring(r.get$ref().lastIndexOf('/') + 1);
        return api.getComponents().getResponses().get(name);
    }
}
