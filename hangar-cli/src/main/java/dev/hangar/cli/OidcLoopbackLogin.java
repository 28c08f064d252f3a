package dev.hangar.cli;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationErrorResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.api.OidcInfoView;
import dev.hangar.api.OidcTokenRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The browser part of {@code hangar login --oidc}: an OpenID Connect authorization-code request
 * with PKCE (S256), a fresh {@code state} and {@code nonce}, and a loopback redirect per RFC 8252
 * section 7.3 ({@code http://127.0.0.1:<ephemeral port>/callback}, bound to 127.0.0.1 only). The
 * authorization URL goes to {@code open} (print it, try a browser); the one callback that arrives
 * is checked (an error response, a missing code or a wrong {@code state} fails the login) and
 * answered with a short page. The result is what the server needs to redeem the code; the server,
 * not this class, talks to the token endpoint and verifies the ID token. Nimbus OAuth 2.0 SDK builds
 * the request and parses the response. One use per instance; not thread-safe.
 */
final class OidcLoopbackLogin {
    static final String CALLBACK_PATH = "/callback";

    private OidcLoopbackLogin() {}

    /**
     * Runs the browser leg of the sign-in.
     *
     * @param info the provider and client from {@code GET /api/v1/auth/oidc}
     * @param open receives the authorization URL (prints it and tries to open a browser)
     * @param timeout how long to wait for the browser's callback
     * @return the code exchange request for {@code POST /api/v1/auth/oidc/token}
     * @throws CliException AUTH when the provider answered an error, the state does not match or no
     *     code came; ERROR on timeout or when the loopback port cannot be opened
     */
    static OidcTokenRequest authorize(OidcInfoView info, Consumer<URI> open, Duration timeout) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot open a loopback port for the sign-in: " + e.getMessage());
        }
        CompletableFuture<OidcTokenRequest> result = new CompletableFuture<>();
        try {
            URI redirect = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + CALLBACK_PATH);
            CodeVerifier verifier = new CodeVerifier();
            State state = new State();
            Nonce nonce = new Nonce();
            URI url = new AuthenticationRequest.Builder(
                            ResponseType.CODE,
                            new Scope(info.scopes().toArray(String[]::new)),
                            new ClientID(info.clientId()),
                            redirect)
                    .endpointURI(URI.create(info.authorizationEndpoint()))
                    .state(state)
                    .nonce(nonce)
                    .codeChallenge(verifier, CodeChallengeMethod.S256)
                    .build()
                    .toURI();
            server.createContext(CALLBACK_PATH, exchange -> {
                try {
                    OidcTokenRequest r = callback(exchange.getRequestURI(), redirect, state, verifier, nonce);
                    reply(exchange, 200, "Signed in to Hangar. You can close this tab and return to the terminal.");
                    result.complete(r);
                } catch (CliException e) {
                    reply(exchange, 400, "Hangar sign-in failed: " + e.getMessage());
                    result.completeExceptionally(e);
                }
            });
            server.start();
            open.accept(url);
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CliException(
                    ExitCodes.ERROR,
                    "no sign-in arrived from the browser within " + timeout.toSeconds()
                            + " s; run 'hangar login --oidc' again");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CliException c) throw c;
            throw new CliException(ExitCodes.ERROR, "sign-in failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while waiting for the browser");
        } finally {
            server.stop(0);
        }
    }

    private static OidcTokenRequest callback(
            URI requestUri, URI redirect, State state, CodeVerifier verifier, Nonce nonce) {
        AuthenticationResponse response;
        try {
            response = AuthenticationResponseParser.parse(redirect.resolve(requestUri.getRawPath()
                    + (requestUri.getRawQuery() == null ? "" : "?" + requestUri.getRawQuery())));
        } catch (ParseException e) {
            throw new CliException(
                    ExitCodes.AUTH, "the sign-in callback is not a valid authorization response: " + e.getMessage());
        }
        if (!state.equals(response.getState()))
            throw new CliException(
                    ExitCodes.AUTH,
                    "the sign-in callback's state does not match this login (a forged or stale redirect);"
                            + " nothing was saved");
        if (!response.indicatesSuccess()) {
            var err = ((AuthenticationErrorResponse) response).getErrorObject();
            throw new CliException(
                    ExitCodes.AUTH,
                    "the OIDC provider refused the sign-in: " + err.getCode()
                            + (err.getDescription() == null ? "" : " (" + err.getDescription() + ")"));
        }
        var code = response.toSuccessResponse().getAuthorizationCode();
        if (code == null) throw new CliException(ExitCodes.AUTH, "the sign-in callback carries no authorization code");
        return new OidcTokenRequest(code.getValue(), verifier.getValue(), redirect.toString(), nonce.getValue());
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = ("<!doctype html><title>Hangar</title><p>"
                        + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
