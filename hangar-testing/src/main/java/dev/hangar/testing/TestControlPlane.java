package dev.hangar.testing;

import dev.hangar.api.CliConfig;
import dev.hangar.api.HangarPaths;
import dev.hangar.core.domain.Role;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.store.Store;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.server.GatewayHook;
import dev.hangar.server.HangarServer;
import dev.hangar.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The real {@link HangarServer} in-process for tests: HTTP on 127.0.0.1 with port 0 (and the SSH
 * gateway, when one is added, on port 0 unless {@code gateway.listen-port} is configured), a temporary
 * {@code HANGAR_HOME} with a real SQLite file, the {@link FakeProvider} registered programmatically
 * with its {@code fake} template, built-in templates off (their providers need QEMU or a cluster),
 * and a fast reconciler (50 ms polling, 250 ms resync, 50 ms base backoff).
 *
 * <pre>
 * try (TestControlPlane cp = TestControlPlane.start()) {
 *     HttpResponse&lt;String&gt; r = cp.http().get("/api/v1/workspaces", cp.adminToken());
 * }
 * </pre>
 *
 * <p>Closing stops the server and deletes the temporary home (unless the home was given with
 * {@link Builder#home} or {@link Builder#keepHome()} was called). Thread-safe after start.
 */
public final class TestControlPlane implements AutoCloseable {
    /** Reconciler settings tests use: converge in milliseconds, not seconds. */
    public static final WorkspaceReconciler.Settings FAST =
            new WorkspaceReconciler.Settings(4, Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofMillis(50));

    /** Name of the admin user created on first start. */
    public static final String ADMIN = "admin";

    /** A user and one of its API tokens. */
    public record Credentials(String name, String token) {
        @Override
        public String toString() {
            return "Credentials[name=" + name + ", token=<redacted>]";
        }
    }

    private final HangarServer server;
    private final FakeProviderFactory fakeFactory;
    private final Path home;
    private final boolean deleteHome;
    private final TestHttp http;

    private TestControlPlane(HangarServer server, FakeProviderFactory fakeFactory, Path home, boolean deleteHome) {
        this.server = server;
        this.fakeFactory = fakeFactory;
        this.home = home;
        this.deleteHome = deleteHome;
        this.http = new TestHttp(server.baseUri());
    }

    /** @return a control plane with every default */
    public static TestControlPlane start() {
        return builder().start();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Options. Not thread-safe. */
    public static final class Builder {
        private Path home;
        private boolean keepHome;
        private WorkspaceReconciler.Settings reconciler = FAST;
        private Consumer<FakeProvider> fakeScript = p -> {};
        private UnaryOperator<ServerConfig> configure = UnaryOperator.identity();
        private final List<WorkspaceProviderFactory> factories = new ArrayList<>();
        private GatewayHook gateway = GatewayHook.NONE;
        private Clock clock = Clock.systemUTC();
        private Function<ServerConfig, Store> storeOpener;

        private Builder() {}

        /** Uses an existing {@code HANGAR_HOME} (e.g. of a closed control plane); it is not deleted on close. */
        public Builder home(Path home) {
            this.home = Objects.requireNonNull(home);
            return this;
        }

        /** Keeps the temporary home after close (to start another control plane on it). */
        public Builder keepHome() {
            this.keepHome = true;
            return this;
        }

        /** Overrides the reconciler settings (default {@link #FAST}). */
        public Builder reconciler(WorkspaceReconciler.Settings settings) {
            this.reconciler = Objects.requireNonNull(settings);
            return this;
        }

        /** Scripts the fake provider before the reconciler first uses it. */
        public Builder fake(Consumer<FakeProvider> script) {
            this.fakeScript = Objects.requireNonNull(script);
            return this;
        }

        /** Adjusts the server config after the test defaults and any earlier {@code configure} are applied. */
        public Builder configure(UnaryOperator<ServerConfig> change) {
            Objects.requireNonNull(change);
            UnaryOperator<ServerConfig> earlier = this.configure;
            this.configure = c -> change.apply(earlier.apply(c));
            return this;
        }

        /** Registers another provider factory (e.g. the real QEMU provider in an IT). */
        public Builder addProviderFactory(WorkspaceProviderFactory factory) {
            factories.add(Objects.requireNonNull(factory));
            return this;
        }

        /** Sets the gateway hook (default none). */
        public Builder gateway(GatewayHook hook) {
            this.gateway = Objects.requireNonNull(hook);
            return this;
        }

        /** Sets the server's clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * Opens the store another way than the default SQLite file in the home (e.g. on an embedded
         * PostgreSQL); the server closes the store it gets on close.
         */
        public Builder storeOpener(Function<ServerConfig, Store> opener) {
            this.storeOpener = Objects.requireNonNull(opener);
            return this;
        }

        /** Starts the server; on failure the temporary home is removed again. */
        public TestControlPlane start() {
            boolean temp = home == null;
            Path h;
            try {
                h = temp ? Files.createTempDirectory("hangar-test-") : home;
                Path templates = h.resolve("templates");
                Files.createDirectories(templates);
                try (InputStream in = TestControlPlane.class.getResourceAsStream("fake-template.yaml")) {
                    Files.write(
                            templates.resolve("fake.yaml"),
                            Objects.requireNonNull(in).readAllBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ServerConfig configured = configure.apply(ServerConfig.defaults(h, Map.of("USER", ADMIN))
                    .withListen("127.0.0.1", 0)
                    .withTemplates(h.resolve("templates"), false)
                    .withReconciler(reconciler));
            // Hermetic: the SSH gateway (if a test adds one) gets a free port too, never its default 2222,
            // unless the test chose a port itself.
            Map<String, String> gatewaySettings = new java.util.TreeMap<>(configured.gateway());
            gatewaySettings.putIfAbsent("listen-port", "0");
            ServerConfig config = configured.withGateway(gatewaySettings);
            FakeProviderFactory fake = new FakeProviderFactory(fakeScript);
            HangarServer.Builder b = HangarServer.builder(config)
                    .discoverProviders(false)
                    .addProviderFactory(fake)
                    .gateway(gateway)
                    .clock(clock);
            if (storeOpener != null) b.storeOpener(storeOpener);
            factories.forEach(b::addProviderFactory);
            try {
                return new TestControlPlane(b.start(), fake, h, temp && !keepHome);
            } catch (RuntimeException e) {
                if (temp) deleteTree(h);
                throw e;
            }
        }
    }

    /** @return the API's base URI, e.g. {@code http://127.0.0.1:41234} */
    public URI baseUri() {
        return server.baseUri();
    }

    /** @return the {@code HANGAR_HOME} directory */
    public Path home() {
        return home;
    }

    /** @return the admin's token, read from the CLI config the server wrote on first start */
    public String adminToken() {
        return CliConfig.read(HangarPaths.cliConfig(home))
                .map(CliConfig::token)
                .orElseThrow(() -> new IllegalStateException("no CLI config in " + home));
    }

    /** @return the admin's credentials */
    public Credentials admin() {
        return new Credentials(ADMIN, adminToken());
    }

    /** Creates an admin or member and issues a token for it. */
    public Credentials createUser(String name, boolean admin) {
        return createUser(name, admin ? Role.ADMIN : Role.MEMBER);
    }

    /** Creates a user with that role and issues a token for it. */
    public Credentials createUser(String name, Role role) {
        server.users().create(name, role);
        return new Credentials(name, issueToken(name));
    }

    /**
     * @return a new never-expiring token for an existing user, named {@code test-N} where N counts
     *     that user's tokens (so names are the same in every run, for golden transcripts)
     */
    public String issueToken(String user) {
        return server.users()
                .issueToken(user, "test-" + (server.users().tokens(user).size() + 1))
                .token();
    }

    /** @return the fake provider the server runs */
    public FakeProvider fake() {
        return fakeFactory.provider().orElseThrow();
    }

    /** @return the running server, for direct access to its store and services */
    public HangarServer server() {
        return server;
    }

    /** @return an HTTP helper bound to {@link #baseUri()} */
    public TestHttp http() {
        return http;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            if (deleteHome) deleteTree(home);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
