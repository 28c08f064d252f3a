package dev.hangar.oidctest;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * A real OpenID Connect provider for tests: Spring Authorization Server (Spring Boot's
 * auto-configuration: discovery, JWKS with a fresh RSA key, authorization endpoint with a form
 * login, token endpoint, ID tokens) on a free loopback port. One public client ({@link #CLIENT_ID},
 * PKCE required, no consent screen) may redirect to {@code http://127.0.0.1/callback} on any port
 * (RFC 8252 loopback). Users are added by the test; their ID tokens carry {@code
 * preferred_username} and {@code groups} claims that the test sets and changes. Switches make the
 * next ID tokens wrong on purpose (expired, or for another audience), so that tests can check the
 * relying party refuses them. Thread-safe. Test-only: never shipped.
 */
public final class TestOidcProvider implements AutoCloseable {
    /** The client id Hangar uses. */
    public static final String CLIENT_ID = "hangar";

    /** The redirect URI registered for the client (any port on the loopback address). */
    public static final String REDIRECT_URI = "http://127.0.0.1/callback";

    /** A second registered redirect URI, as a web dashboard would have (any port on the loopback address). */
    public static final String DASHBOARD_REDIRECT_URI = "http://127.0.0.1/auth/callback";

    private final ConfigurableApplicationContext context;
    private final Map<String, Person> people = new ConcurrentHashMap<>();
    private volatile Optional<String> audienceOverride = Optional.empty();
    private volatile boolean expired;

    /** Claims of one test user. */
    private record Person(String preferredUsername, List<String> groups) {}

    private TestOidcProvider() {
        SpringApplication app = new SpringApplicationBuilder(Config.class)
                .web(WebApplicationType.SERVLET)
                .properties(Map.of(
                        "server.address", "127.0.0.1",
                        "server.port", "0",
                        "spring.main.banner-mode", "off",
                        "spring.application.name", "hangar-test-oidc-provider",
                        "spring.jmx.enabled", "false"))
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("hangarTestProvider", this))
                .build();
        this.context = app.run();
    }

    /** Starts a provider on a free port of 127.0.0.1 (a few seconds: Spring starts). */
    public static TestOidcProvider start() {
        return new TestOidcProvider();
    }

    /** @return the issuer, {@code http://127.0.0.1:<port>} */
    public String issuer() {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return "http://127.0.0.1:" + port;
    }

    /** @return the issuer as a URI */
    public URI issuerUri() {
        return URI.create(issuer());
    }

    /**
     * Adds a person who can log in at the provider's form with {@code login} and {@code password}.
     *
     * @param preferredUsername the {@code preferred_username} claim of their ID tokens
     * @param groups the {@code groups} claim of their ID tokens
     */
    public void addUser(String login, String password, String preferredUsername, List<String> groups) {
        context.getBean(InMemoryUserDetailsManager.class)
                .createUser(User.withUsername(login)
                        .password("{noop}" + password)
                        .roles("USER")
                        .build());
        people.put(login, new Person(preferredUsername, List.copyOf(groups)));
    }

    /** Changes the {@code groups} claim of the person's next ID tokens. */
    public void setGroups(String login, List<String> groups) {
        people.computeIfPresent(login, (k, p) -> new Person(p.preferredUsername(), List.copyOf(groups)));
    }

    /** Makes the next ID tokens name {@code audience} instead of the client (empty: the client again). */
    public void issueForAudience(Optional<String> audience) {
        this.audienceOverride = Objects.requireNonNull(audience);
    }

    /** Makes the next ID tokens already expired (an hour ago) or valid again. */
    public void issueExpired(boolean on) {
        this.expired = on;
    }

    @Override
    public void close() {
        context.close();
    }

    private void customize(JwtEncodingContext ctx) {
        if (!OidcParameterNames.ID_TOKEN.equals(ctx.getTokenType().getValue())) return;
        Person p = people.get(ctx.getPrincipal().getName());
        if (p != null) {
            ctx.getClaims().claim("preferred_username", p.preferredUsername());
            ctx.getClaims().claim("groups", p.groups());
        }
        audienceOverride.ifPresent(a -> ctx.getClaims().audience(List.of(a)));
        if (expired) {
            Instant past = Instant.now().minus(Duration.ofHours(2));
            ctx.getClaims().issuedAt(past).expiresAt(past.plus(Duration.ofHours(1)));
        }
    }

    /** The provider's beans; the rest is Spring Boot's auto-configuration. */
    @SpringBootApplication(proxyBeanMethods = false)
    static class Config {
        @Bean
        RegisteredClientRepository registeredClients() {
            return new InMemoryRegisteredClientRepository(
                    RegisteredClient.withId(UUID.randomUUID().toString())
                            .clientId(CLIENT_ID)
                            .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                            .redirectUri(REDIRECT_URI)
                            .redirectUri(DASHBOARD_REDIRECT_URI)
                            .scope(OidcScopes.OPENID)
                            .scope(OidcScopes.PROFILE)
                            .clientSettings(ClientSettings.builder()
                                    .requireProofKey(true)
                                    .requireAuthorizationConsent(false)
                                    .build())
                            .build());
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager();
        }

        @Bean
        OAuth2TokenCustomizer<JwtEncodingContext> idTokenClaims(TestOidcProvider hangarTestProvider) {
            return hangarTestProvider::customize;
        }
    }
}
