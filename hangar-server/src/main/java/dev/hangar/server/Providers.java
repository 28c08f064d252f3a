package dev.hangar.server;

import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds provider factories ({@link ServiceLoader} plus programmatic ones) and creates one provider
 * per type with its settings from {@link ServerConfig#providers()}.
 */
final class Providers {
    /** Setting that keeps a discovered provider from being created; not passed to the factory. */
    static final String ENABLED = "enabled";

    private Providers() {}

    /** @return the factories registered in {@code META-INF/services} on the class path */
    static List<WorkspaceProviderFactory> discovered() {
        List<WorkspaceProviderFactory> out = new ArrayList<>();
        ServiceLoader.load(WorkspaceProviderFactory.class).forEach(out::add);
        return out;
    }

    /** @return the provider types switched off with {@code providers.<type>.enabled: false} */
    static java.util.Set<String> disabled(ServerConfig config) {
        java.util.Set<String> out = new TreeSet<>();
        config.providers().forEach((type, settings) -> {
            if ("false".equals(settings.get(ENABLED))) out.add(type);
        });
        return out;
    }

    /**
     * @throws ConfigException when two factories claim a type, the config names a type no factory
     *     provides, or a factory refuses its settings
     */
    static ProviderRegistry create(ServerConfig config, List<WorkspaceProviderFactory> factories, Clock clock) {
        Map<String, WorkspaceProviderFactory> byType = new TreeMap<>();
        for (WorkspaceProviderFactory f : factories) {
            WorkspaceProviderFactory prev = byType.put(f.type(), f);
            if (prev != null && prev.getClass() != f.getClass())
                throw new ConfigException("two provider factories claim type '" + f.type() + "': "
                        + prev.getClass().getName() + " and " + f.getClass().getName());
        }
        TreeSet<String> unknown = new TreeSet<>(config.providers().keySet());
        unknown.removeAll(byType.keySet());
        unknown.removeAll(disabled(config)); // switching off a provider that is not installed is harmless
        if (!unknown.isEmpty())
            throw new ConfigException(
                    "server config names unknown provider type(s) " + unknown + "; available: " + byType.keySet());
        List<WorkspaceProvider> created = new ArrayList<>();
        try {
            for (WorkspaceProviderFactory f : byType.values()) {
                Map<String, String> settings = new HashMap<>(config.providers().getOrDefault(f.type(), Map.of()));
                String enabled = settings.remove(ENABLED);
                if (enabled != null && !enabled.equals("true") && !enabled.equals("false"))
                    throw new ConfigException(
                            "providers." + f.type() + ".enabled must be true or false, got '" + enabled + "'");
                if ("false".equals(enabled)) continue;
                Path dataDir = config.home().resolve("providers").resolve(f.type());
                Files.createDirectories(dataDir);
                try {
                    created.add(f.create(new ProviderContext(dataDir, settings, clock)));
                } catch (ProviderException e) {
                    throw new ConfigException(
                            "provider '" + f.type() + "' cannot start: " + e.getMessage()
                                    + " (disable it with providers." + f.type() + ".enabled: false)",
                            e);
                }
            }
            return ProviderRegistry.of(created);
        } catch (IOException e) {
            created.forEach(WorkspaceProvider::close);
            throw new ConfigException("cannot create provider data directory: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            created.forEach(WorkspaceProvider::close);
            throw e;
        }
    }
}
