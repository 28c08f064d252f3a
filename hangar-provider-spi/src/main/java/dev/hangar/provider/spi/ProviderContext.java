package dev.hangar.provider.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What the control plane hands a provider factory.
 *
 * @param dataDir a directory owned by this provider under {@code $HANGAR_HOME}, created by the
 *     caller, e.g. {@code ~/.local/share/hangar/providers/qemu}
 * @param settings this provider's section of the server configuration, with lower-kebab keys such
 *     as {@code accelerator} or {@code namespace}; unknown keys are an error of the factory
 * @param clock the clock providers must use for timeouts, so tests can control time
 */
public record ProviderContext(Path dataDir, Map<String, String> settings, Clock clock) {
    public ProviderContext {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        settings = Map.copyOf(settings);
    }

    /**
     * @return the setting's value, or {@code fallback} when it is not set
     */
    public String setting(String key, String fallback) {
        return settings.getOrDefault(key, fallback);
    }
}
