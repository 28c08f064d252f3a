package dev.hangar.provider.docker;

import dev.hangar.provider.spi.ProviderException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code docker} provider's section of the server configuration ({@code providers.docker.*}).
 *
 * <table>
 *   <caption>Provider settings (lower-kebab keys)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code socket}</td><td>{@code unix:///var/run/docker.sock}</td><td>the engine's API socket;
 *       Podman's ({@code unix:///run/podman/podman.sock}) works the same</td></tr>
 *   <tr><td>{@code allow-privileged}</td><td>{@code false}</td><td>whether templates may ask for
 *       {@code privileged=true} (USB/IP)</td></tr>
 *   <tr><td>{@code publish-address}</td><td>{@code 127.0.0.1}</td><td>host address the SSH port is
 *       published on (an ephemeral port); the gateway connects there. Keep it a loopback address
 *       unless the engine runs in another network namespace</td></tr>
 *   <tr><td>{@code run-as-user}</td><td>{@code 1000}</td><td>uid (and gid) the workspace container
 *       runs as; the image contract's user</td></tr>
 *   <tr><td>{@code feature-registries}</td><td>{@code ghcr.io}</td><td>comma-separated registries
 *       ({@code host} or {@code host:port}) devcontainer features may be fetched from by the server;
 *       empty refuses every registry feature</td></tr>
 *   <tr><td>{@code pull-registries}</td><td>(empty)</td><td>comma-separated registries the engine may
 *       pull a missing workspace or devcontainer image from ({@code docker.io} for names without a
 *       registry); empty: Hangar never pulls</td></tr>
 * </table>
 *
 * @param socket the engine's API endpoint, {@code unix://PATH} or {@code tcp://HOST:PORT}
 * @param allowPrivileged whether privileged workspaces are allowed
 * @param runAsUser uid and gid of the workspace container, at least 1
 * @param publishAddress the IP address the SSH port is published on
 * @param featureRegistries the registries devcontainer features may come from, lower case
 * @param pullRegistries the registries the engine may pull images from, lower case; empty: never pull
 */
public record DockerSettings(
        URI socket,
        boolean allowPrivileged,
        long runAsUser,
        String publishAddress,
        Set<String> featureRegistries,
        Set<String> pullRegistries) {

    /** The engine socket used when {@code socket} is not set. */
    public static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";

    /** The registry features may come from when {@code feature-registries} is not set (devcontainers' own). */
    public static final String DEFAULT_FEATURE_REGISTRIES = "ghcr.io";

    /** Every key {@link #parse} accepts. */
    public static final Set<String> KEYS = Set.of(
            "socket", "allow-privileged", "run-as-user", "publish-address", "feature-registries", "pull-registries");

    private static final java.util.regex.Pattern REGISTRY = java.util.regex.Pattern.compile(
            "(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])(?:\\.(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))*(?::[0-9]{1,5})?");

    private static final java.util.regex.Pattern IP =
            java.util.regex.Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    public DockerSettings {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(publishAddress, "publishAddress");
        if (runAsUser < 1) throw new IllegalArgumentException("runAsUser must be at least 1, got " + runAsUser);
        featureRegistries = Set.copyOf(featureRegistries);
        pullRegistries = Set.copyOf(pullRegistries);
    }

    /**
     * Reads and validates the provider settings. Pure: does not contact the engine.
     *
     * @throws ProviderException (permanent) naming every unknown key or a malformed value
     */
    public static DockerSettings parse(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "unknown docker provider setting(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS), true);
        }
        String raw = settings.getOrDefault("socket", DEFAULT_SOCKET).trim();
        URI socket;
        try {
            socket = URI.create(raw);
        } catch (IllegalArgumentException e) {
            socket = null;
        }
        if (socket == null
                || !("unix".equals(socket.getScheme()) || "tcp".equals(socket.getScheme()))
                || ("unix".equals(socket.getScheme())
                        && (socket.getPath() == null || socket.getPath().isEmpty()))) {
            throw new ProviderException(
                    "docker provider setting socket='" + raw + "' must be unix:///PATH or tcp://HOST:PORT", true);
        }
        String uid = settings.getOrDefault("run-as-user", "1000").trim();
        long runAsUser;
        try {
            runAsUser = Long.parseLong(uid);
        } catch (NumberFormatException e) {
            runAsUser = -1;
        }
        if (runAsUser < 1) {
            throw new ProviderException(
                    "docker provider setting run-as-user must be a uid of 1 or more (root is not allowed), got '" + uid
                            + "'",
                    true);
        }
        String publish = settings.getOrDefault("publish-address", "127.0.0.1").trim();
        if (!IP.matcher(publish).matches()) {
            throw new ProviderException(
                    "docker provider setting publish-address='" + publish + "' must be an IPv4 address such as"
                            + " 127.0.0.1",
                    true);
        }
        return new DockerSettings(
                socket,
                bool("allow-privileged", settings.getOrDefault("allow-privileged", "false")),
                runAsUser,
                publish,
                registries(settings, "feature-registries", DEFAULT_FEATURE_REGISTRIES),
                registries(settings, "pull-registries", ""));
    }

    private static Set<String> registries(Map<String, String> settings, String key, String defaultValue) {
        Set<String> registries = new TreeSet<>();
        for (String r : settings.getOrDefault(key, defaultValue).split(",")) {
            String registry = r.strip().toLowerCase(Locale.ROOT);
            if (registry.isEmpty()) continue;
            if (!REGISTRY.matcher(registry).matches())
                throw new ProviderException(
                        "docker provider setting " + key + ": '" + r.strip() + "' is not a registry host"
                                + " (host or host:port, e.g. ghcr.io or 127.0.0.1:5000; no scheme or path)",
                        true);
            registries.add(registry);
        }
        return registries;
    }

    static boolean bool(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ProviderException(key + " must be true or false, got '" + value + "'", true);
        };
    }
}
