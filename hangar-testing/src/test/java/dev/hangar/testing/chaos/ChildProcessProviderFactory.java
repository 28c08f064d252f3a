package dev.hangar.testing.chaos;

import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;

/**
 * Creates the TEST-ONLY {@link ChildProcessProvider} on the provider's data directory. Registered
 * only where a test asks for it (ServerChaosIT writes a {@code META-INF/services} entry into a
 * directory it puts on its server's class path), never in hangar-testing's resources, so no other
 * server discovers it.
 */
public final class ChildProcessProviderFactory implements WorkspaceProviderFactory {
    /** For {@link java.util.ServiceLoader}. */
    public ChildProcessProviderFactory() {}

    @Override
    public String type() {
        return ChildProcessProvider.TYPE;
    }

    @Override
    public WorkspaceProvider create(ProviderContext context) {
        return new ChildProcessProvider(context.dataDir());
    }
}
