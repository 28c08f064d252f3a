package dev.hangar.testing;

import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Creates the {@link FakeProvider}. Deliberately NOT listed in {@code META-INF/services}: tests
 * add it with {@code HangarServer.Builder#addProviderFactory}, so the shipped server can never
 * select the fake. Accepts no settings. Thread-safe.
 */
public final class FakeProviderFactory implements WorkspaceProviderFactory {
    private final Consumer<FakeProvider> script;
    private volatile FakeProvider created;

    /** A factory whose provider starts unscripted. */
    public FakeProviderFactory() {
        this(p -> {});
    }

    /** @param script applied to the provider right after it is created (e.g. {@code p -> p.delayRunning(3)}) */
    public FakeProviderFactory(Consumer<FakeProvider> script) {
        this.script = script;
    }

    @Override
    public String type() {
        return FakeProvider.TYPE;
    }

    @Override
    public WorkspaceProvider create(ProviderContext context) {
        if (!context.settings().isEmpty())
            throw new ProviderException(
                    "the fake provider takes no settings; got "
                            + context.settings().keySet(),
                    true);
        FakeProvider p = new FakeProvider(context.dataDir());
        script.accept(p);
        created = p;
        return p;
    }

    /** @return the provider this factory created, once the server started */
    public Optional<FakeProvider> provider() {
        return Optional.ofNullable(created);
    }
}
