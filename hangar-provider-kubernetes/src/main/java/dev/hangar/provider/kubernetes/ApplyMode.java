package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the provider writes objects: the value of the {@code apply-mode} provider setting. */
public enum ApplyMode {
    /**
     * Kubernetes server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}, field
     * manager {@code hangar}, conflicts forced). The default; needs Kubernetes 1.18 or later.
     */
    SERVER_SIDE("server-side"),
    /**
     * Get, then create when absent or send an RFC 7386 JSON merge patch when the live object differs.
     * For API servers without server-side apply, such as fabric8's mock server.
     */
    MERGE("merge");

    private final String setting;

    ApplyMode(String setting) {
        this.setting = setting;
    }

    /** @return the setting value, e.g. {@code server-side} */
    public String setting() {
        return setting;
    }

    /**
     * @throws ProviderException (permanent) if {@code value} names no mode
     */
    public static ApplyMode parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (ApplyMode mode : values()) {
            if (mode.setting.equals(v)) return mode;
        }
        throw new ProviderException(
                "kubernetes provider setting apply-mode must be one of "
                        + Arrays.stream(values()).map(ApplyMode::setting).collect(Collectors.joining(", "))
                        + ", got '" + value + "'",
                true);
    }
}
