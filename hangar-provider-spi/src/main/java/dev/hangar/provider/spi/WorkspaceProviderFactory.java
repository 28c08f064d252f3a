package dev.hangar.provider.spi;

/**
 * Creates a {@link WorkspaceProvider}. Implementations are registered in {@code
 * META-INF/services/dev.hangar.provider.spi.WorkspaceProviderFactory} and found with {@link
 * java.util.ServiceLoader}; they need a public no-argument constructor.
 */
public interface WorkspaceProviderFactory {

    /** @return the provider type templates name, a lower-case word such as {@code qemu} */
    String type();

    /**
     * Creates the provider. Called once at server start.
     *
     * @throws ProviderException if the settings are invalid or the provider cannot work on this
     *     host (the message says what to install or change)
     */
    WorkspaceProvider create(ProviderContext context);
}
