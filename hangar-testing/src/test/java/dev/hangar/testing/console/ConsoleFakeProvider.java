package dev.hangar.testing.console;

import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.testing.FakeProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@link FakeProvider} (no real workspace can boot in a fast test) with a serial console: type
 * {@value #TYPE}; lifecycle calls go to a FakeProvider, {@link #console} answers the unix socket of
 * a {@link SerialConsoleEmulator} the test runs, {@link #consoleLog} the lines the test set. The
 * plain {@code fake} provider, which keeps the SPI's default (no console), plays the part of
 * providers without one (kubernetes).
 */
final class ConsoleFakeProvider implements WorkspaceProvider {
    static final String TYPE = "fake-console";

    private final FakeProvider lifecycle;
    private final Path socket;
    private final List<String> log;

    ConsoleFakeProvider(Path dataDir, Path socket, List<String> log) {
        this.lifecycle = new FakeProvider(dataDir);
        this.socket = socket;
        this.log = List.copyOf(log);
    }

    /** A factory for the server builder. */
    static WorkspaceProviderFactory factory(Path socket, List<String> log) {
        return new WorkspaceProviderFactory() {
            @Override
            public String type() {
                return TYPE;
            }

            @Override
            public WorkspaceProvider create(ProviderContext context) {
                return new ConsoleFakeProvider(context.dataDir(), socket, log);
            }
        };
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        return lifecycle.observe(spec);
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        return lifecycle.apply(spec, desired, listener);
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        return lifecycle.delete(spec, listener);
    }

    @Override
    public Optional<ConsoleEndpoint> console(WorkspaceSpec spec) {
        return Optional.of(new ConsoleEndpoint(socket));
    }

    @Override
    public Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
        return Optional.of(log.subList(Math.max(0, log.size() - lines), log.size()));
    }
}
