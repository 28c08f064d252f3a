package dev.hangar.core.reconcile;

import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.WorkspaceProvider;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** The providers a server runs, by type. Immutable and thread-safe. */
public final class ProviderRegistry implements AutoCloseable {
    private final Map<String, WorkspaceProvider> byType;

    private ProviderRegistry(Map<String, WorkspaceProvider> byType) {
        this.byType = Map.copyOf(byType);
    }

    /**
     * @throws IllegalArgumentException when two providers claim one type
     */
    public static ProviderRegistry of(Iterable<WorkspaceProvider> providers) {
        Map<String, WorkspaceProvider> m = new TreeMap<>();
        for (WorkspaceProvider p : providers) {
            if (m.put(p.type(), p) != null)
                throw new IllegalArgumentException("two providers claim type '" + p.type() + "'");
        }
        return new ProviderRegistry(m);
    }

    /** @return the provider of that type */
    public Optional<WorkspaceProvider> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** @return the registered types, sorted */
    public TreeSet<String> types() {
        return new TreeSet<>(byType.keySet());
    }

    /**
     * Checks at startup that every template names a registered provider.
     *
     * @throws IllegalStateException naming each template and its unknown provider type
     */
    public void requireProvidersFor(TemplateCatalog templates) {
        StringBuilder missing = new StringBuilder();
        for (Template t : templates.all()) {
            if (!byType.containsKey(t.provider())) {
                missing.append("\n  template '")
                        .append(t.name())
                        .append("' names provider '")
                        .append(t.provider())
                        .append("'");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("unknown provider type(s); registered: " + types() + missing
                    + "\nEnable the provider in the server config or remove the template.");
        }
    }

    /** Closes every provider (running workspaces keep running). */
    @Override
    public void close() {
        byType.values().forEach(WorkspaceProvider::close);
    }
}
