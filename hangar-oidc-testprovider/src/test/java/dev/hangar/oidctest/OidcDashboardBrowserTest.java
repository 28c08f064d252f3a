package dev.hangar.oidctest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.Role;
import dev.hangar.core.oidc.OidcPolicy;
import dev.hangar.server.OidcConfig;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import dev.hangar.testing.dashboard.Chromium;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The dashboard's OIDC sign-in in a real browser (issue #15's "one Chromium test once the dashboard
 * exists"): headless Chromium ({@link Chromium}) clicks "Sign in with ..." on the real server's
 * sign-in page (TestControlPlane, SQLite, over a real socket), fills in the login form of a real
 * provider (Spring Authorization Server, {@link TestOidcProvider}), follows its redirect back to
 * {@code /auth/callback} and lands on the workspaces page as the user the ID token names, with the
 * role its groups map to; signing out ends the session. The browser-less variant with the refusals
 * is {@link OidcSignInTest}. Saves {@code target/dashboard-screenshots/oidc-*.png}.
 */
class OidcDashboardBrowserTest {
    private static TestOidcProvider provider;
    private static TestControlPlane cp;
    private static Chromium chromium;

    @TempDir
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        provider = TestOidcProvider.start();
        OidcConfig oidc = OidcConfig.OFF
                .withProvider(provider.issuer(), TestOidcProvider.CLIENT_ID, "")
                .withPolicy(new OidcPolicy(
                        "preferred_username", "groups", Map.of(Role.ADMIN, Set.of("hangar-admins")), Role.MEMBER));
        cp = TestControlPlane.builder().configure(c -> c.withOidc(oidc)).start();
        chromium = Chromium.start(profile);
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (cp != null) cp.close();
        if (provider != null) provider.close();
    }

    @Test
    void signingInWithTheProviderOpensTheDashboardAsTheMappedUser() {
        provider.addUser("grace.login", "pw-grace", "grace", List.of("hangar-admins"));
        WebDriver d = chromium.driver();

        d.get(cp.baseUri().resolve("/ui/sign-in").toString());
        String label = d.findElement(By.id("sign-in-oidc")).getText();
        assertThat(label)
                .isEqualTo("Sign in with " + provider.issuerUri().getHost() + ":"
                        + provider.issuerUri().getPort());
        chromium.shot("oidc-1-sign-in");
        d.findElement(By.id("sign-in-oidc")).click();

        // the provider's own login form, on its own origin
        chromium.waitFor(() -> d.getCurrentUrl().startsWith(provider.issuer() + "/login"));
        d.findElement(By.id("username")).sendKeys("grace.login");
        d.findElement(By.id("password")).sendKeys("pw-grace");
        chromium.shot("oidc-2-provider-login");
        d.findElement(By.cssSelector("button[type=submit]")).click();

        // back on Hangar: the callback started a session and sent the browser to the workspaces page
        chromium.waitFor(() -> d.getTitle().startsWith("Workspaces"));
        assertThat(d.getCurrentUrl()).startsWith(cp.baseUri().toString());
        assertThat(d.findElement(By.className("who")).getText()).isEqualTo("grace (admin)");
        chromium.shot("oidc-3-signed-in");
        // the user was created on first sign-in, with the role the groups claim maps to
        assertThat(TestHttp.json(cp.http().get("/api/v1/users/grace", cp.adminToken()))
                        .get("role")
                        .asText())
                .isEqualTo("admin");

        // signing out ends the session: the dashboard asks to sign in again
        d.findElement(By.id("sign-out")).click();
        chromium.waitFor(() -> d.getCurrentUrl().contains("/ui/sign-in"));
        d.get(cp.baseUri().resolve("/").toString());
        chromium.waitFor(() -> d.getCurrentUrl().contains("/ui/sign-in"));
    }
}
