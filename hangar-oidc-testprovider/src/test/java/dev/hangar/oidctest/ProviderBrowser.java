package dev.hangar.oidctest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the browser against the real provider: follows the authorization request's redirects to
 * the provider's login form, posts it with a test user's credentials (and the form's CSRF token),
 * and follows the redirects until the provider sends the browser to the client's redirect URI,
 * which it returns without requesting it (the caller hands it to the CLI's listener, or reads the
 * code). Its own cookie jar: one instance per sign-in.
 */
final class ProviderBrowser {
    /** What a browser accepts; the provider sends only HTML clients to its login page (others get 401). */
    private static final String HTML = "text/html,application/xhtml+xml";

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /**
     * @return the URI the provider redirects to at the end (the redirect URI with {@code code} and
     *     {@code state})
     */
    URI authorize(URI authorizationUrl, String login, String password) throws Exception {
        HttpResponse<String> page = follow(authorizationUrl, "/callback");
        assertThat(page.statusCode()).as("the provider's login form").isEqualTo(200);
        Matcher csrf = CSRF.matcher(page.body());
        assertThat(csrf.find())
                .as("a CSRF token in the login form: " + page.body())
                .isTrue();
        URI loginUri = page.request().uri().resolve("/login");
        String form = "username=" + enc(login) + "&password=" + enc(password) + "&_csrf=" + enc(csrf.group(1));
        HttpResponse<String> posted = http.send(
                HttpRequest.newBuilder(loginUri)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", HTML)
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode())
                .as("login form answer: " + posted.body())
                .isEqualTo(302);
        URI next = loginUri.resolve(posted.headers().firstValue("Location").orElseThrow());
        assertThat(next.getPath()).as("the login must succeed").isNotEqualTo("/login");
        HttpResponse<String> end = follow(next, "/callback");
        assertThat(end.statusCode()).isEqualTo(302);
        return end.request().uri().resolve(end.headers().firstValue("Location").orElseThrow());
    }

    /** GETs {@code uri} and its redirects; stops at a redirect to a path ending in {@code stopAt}, or a non-redirect. */
    private HttpResponse<String> follow(URI uri, String stopAt) throws Exception {
        URI at = uri;
        for (int hops = 0; hops < 10; hops++) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(at).header("Accept", HTML).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 3) return r;
            URI location = at.resolve(r.headers().firstValue("Location").orElseThrow());
            if (location.getPath().endsWith(stopAt)) return r;
            at = location;
        }
        throw new AssertionError("more than 10 redirects from " + uri);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
