package dev.hangar.testing.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One copy of the set-up a real server process needs to run {@link ChildProcessProvider}
 * workspaces (ServerChaosIT, ServerMemoryBench): a class-path directory registering the factory
 * (kept out of hangar-testing's resources, so no other test's server loads it), and a {@code
 * $HANGAR_HOME} with the {@code proc} template and a {@code server.yaml} that enables only the
 * {@code proc} provider.
 */
public final class ProcServerHome {
    /** The template the home offers. */
    public static final String TEMPLATE = "proc";

    private ProcServerHome() {}

    /**
     * @return a new temporary directory to put on the server's class path, holding {@code
     *     META-INF/services/dev.hangar.provider.spi.WorkspaceProviderFactory} that names {@link
     *     ChildProcessProviderFactory}
     */
    public static Path services() throws IOException {
        Path services = Files.createTempDirectory("hproc-services");
        Files.createDirectories(services.resolve("META-INF/services"));
        Files.writeString(
                services.resolve("META-INF/services/dev.hangar.provider.spi.WorkspaceProviderFactory"),
                ChildProcessProviderFactory.class.getName() + "\n");
        return services;
    }

    /**
     * Writes {@code templates/proc.yaml} and {@code server.yaml} into {@code home}.
     *
     * @param reconcilerYaml the {@code reconciler:} mapping of server.yaml, in flow style, e.g.
     *     {@code {poll-interval: 100ms, resync-interval: 1s, base-backoff: 100ms}}
     * @param description what the template's description says (who uses it)
     */
    public static void write(Path home, String reconcilerYaml, String description) throws IOException {
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/proc.yaml"), """
                name: proc
                description: %s
                provider: proc
                image: none
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                settings: {}
                """.formatted(description));
        Files.writeString(home.resolve("server.yaml"), """
                templates: {builtin: false}
                providers: {proc: {enabled: "true"}, qemu: {enabled: "false"}}
                reconciler: %s
                """.formatted(reconcilerYaml));
    }
}
