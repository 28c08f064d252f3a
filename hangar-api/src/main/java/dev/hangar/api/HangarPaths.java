package dev.hangar.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Hangar keeps its files. Everything lives under {@code $HANGAR_HOME}, default {@code
 * $XDG_DATA_HOME/hangar} or {@code ~/.local/share/hangar} (XDG Base Directory Specification).
 *
 * <pre>
 * $HANGAR_HOME/
 *   cli.yaml          CLI config: server URL and token (mode 0600)
 *   server.yaml       optional server config
 *   hangar.db         SQLite database (embedded default)
 *   templates/        extra or overriding templates (*.yaml)
 *   gateway/          the SSH gateway's host key
 *   providers/qemu/   images and per-workspace VM files
 *   logs/             server log when started in the background
 * </pre>
 */
public final class HangarPaths {
    private HangarPaths() {}

    /** @return {@code $HANGAR_HOME}, resolved from the given environment and user home */
    public static Path home(Map<String, String> env, Path userHome) {
        String h = env.get("HANGAR_HOME");
        if (h != null && !h.isBlank()) return Path.of(h).toAbsolutePath();
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "hangar").toAbsolutePath();
        return userHome.resolve(".local/share/hangar");
    }

    /** @return {@code $HANGAR_HOME} of this process */
    public static Path home() {
        return home(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** @return the CLI config file, {@code $HANGAR_HOME/cli.yaml} */
    public static Path cliConfig(Path home) {
        return home.resolve("cli.yaml");
    }
}
