package dev.hangar.testing.console;

import static org.awaitility.Awaitility.await;

import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A control plane whose {@code console} template runs on {@link ConsoleFakeProvider} (console = a
 * {@link SerialConsoleEmulator} on a real unix socket) next to the plain {@code fake} template
 * (no console). Users: alice (owns {@code dev} on the console template and {@code pod} on the fake
 * one) and bob. Not thread-safe; one per test.
 */
public final class ConsoleFixture implements AutoCloseable {
    static final List<String> LOG =
            List.of("[    0.000000] Linux version 6.1.0", "Debian GNU/Linux 12 dev ttyS0", "dev login:");

    final Path dir;
    final SerialConsoleEmulator emulator;
    /** The running control plane (public for the CLI golden tests). */
    public final TestControlPlane cp;
    /** alice, owner of the console workspace {@code dev} (Running) and {@code pod} (no console). */
    public final TestControlPlane.Credentials alice;

    final TestControlPlane.Credentials bob;

    /** Starts the fixture with the default log {@link #LOG}. */
    public ConsoleFixture() throws IOException {
        this(LOG);
    }

    /** @param log what the provider answers as every console workspace's serial log */
    public ConsoleFixture(List<String> log) throws IOException {
        this(log, java.util.Map.of(), b -> b);
    }

    /**
     * @param log what the provider answers as every console workspace's serial log
     * @param moreTemplates further template files (file name to YAML) beside {@code fake} and {@code console}
     * @param more further settings of the control plane (a gateway, ...)
     */
    public ConsoleFixture(
            List<String> log,
            java.util.Map<String, String> moreTemplates,
            java.util.function.UnaryOperator<TestControlPlane.Builder> more)
            throws IOException {
        // A short directory: unix socket paths must stay under 108 bytes.
        dir = Files.createTempDirectory(Path.of("/tmp"), "hc");
        Path templates = Files.createDirectories(dir.resolve("templates"));
        try (InputStream in = TestControlPlane.class.getResourceAsStream("fake-template.yaml")) {
            Files.write(
                    templates.resolve("fake.yaml"), Objects.requireNonNull(in).readAllBytes());
        }
        Files.writeString(templates.resolve("console.yaml"), """
                name: console
                description: fake workspaces with an emulated serial console
                provider: fake-console
                image: fake-image
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 8}
                  memoryMiB: {min: 128, max: 16384}
                  diskGiB: {min: 1, max: 100}
                settings: {}
                """);
        for (var t : moreTemplates.entrySet()) Files.writeString(templates.resolve(t.getKey()), t.getValue());
        emulator = SerialConsoleEmulator.start(dir.resolve("console.sock"));
        cp = more.apply(TestControlPlane.builder()
                        .configure(c -> c.withTemplates(templates, false))
                        .addProviderFactory(ConsoleFakeProvider.factory(emulator.socket(), log)))
                .start();
        alice = cp.createUser("alice", false);
        bob = cp.createUser("bob", false);
        try (HangarClient c = client(alice.token())) {
            c.createWorkspace(new CreateWorkspaceRequest("dev", "console", null, null, null, null, null));
            c.createWorkspace(new CreateWorkspaceRequest("pod", "fake", null, null, null, null, null));
            // The console is offered only while a VM runs: wait for it, as a user would.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.workspace("dev").phase() == WorkspacePhase.Running);
        }
    }

    HangarClient client(String token) {
        return new HangarClient(ClientSettings.of(cp.baseUri().toString(), token));
    }

    @Override
    public void close() throws IOException {
        try {
            cp.close();
        } finally {
            emulator.close();
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
