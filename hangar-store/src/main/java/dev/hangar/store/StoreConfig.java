package dev.hangar.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the control plane's database is and how to log in to it.
 *
 * <p>Two kinds of URL are accepted:
 *
 * <ul>
 *   <li>{@code jdbc:sqlite:/absolute/path/hangar.db}: the embedded default, one file (made with
 *       {@link #sqlite(Path)}); username and password are ignored.
 *   <li>{@code jdbc:postgresql://host:5432/hangar}: a PostgreSQL server, as the pgJDBC driver
 *       documents the URL.
 * </ul>
 *
 * <p>{@link #toString()} never prints the password (nor a {@code password=} URL parameter), so the
 * record is safe to log.
 *
 * @param jdbcUrl a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL
 * @param username database user; empty for SQLite or to let the driver decide
 * @param password database password; empty when none; a secret
 */
public record StoreConfig(String jdbcUrl, String username, String password) {

    static final String SQLITE_PREFIX = "jdbc:sqlite:";
    static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");

    /**
     * @throws IllegalArgumentException when the URL is neither SQLite nor PostgreSQL, or names an
     *     in-memory SQLite database (each pooled connection would see its own empty database)
     */
    public StoreConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        if (!jdbcUrl.startsWith(SQLITE_PREFIX) && !jdbcUrl.startsWith(POSTGRESQL_PREFIX)) {
            throw new IllegalArgumentException("store URL must start with '" + SQLITE_PREFIX + "' (e.g. "
                    + SQLITE_PREFIX + "/var/lib/hangar/hangar.db) or '" + POSTGRESQL_PREFIX + "' (e.g. "
                    + POSTGRESQL_PREFIX + "//db.example:5432/hangar); got '" + redact(jdbcUrl) + "'");
        }
        if (jdbcUrl.startsWith(SQLITE_PREFIX)) {
            String file = sqliteFileOf(jdbcUrl);
            if (file.isEmpty() || file.equals(":memory:") || jdbcUrl.contains("mode=memory")) {
                throw new IllegalArgumentException("store URL '" + redact(jdbcUrl)
                        + "' is not a SQLite file; give a file path such as " + SQLITE_PREFIX
                        + "/var/lib/hangar/hangar.db (in-memory databases are not supported)");
            }
        }
    }

    /**
     * @param file the database file; made absolute, missing parent directories are created by
     *     {@link JdbiStore#open}
     * @return a config for the embedded SQLite database in {@code file}
     */
    public static StoreConfig sqlite(Path file) {
        Objects.requireNonNull(file, "file");
        return new StoreConfig(SQLITE_PREFIX + file.toAbsolutePath().normalize(), "", "");
    }

    /**
     * The embedded default location, after the XDG Base Directory Specification: {@code
     * $XDG_DATA_HOME/hangar/hangar.db}, or {@code <home>/.local/share/hangar/hangar.db} when {@code
     * XDG_DATA_HOME} is unset, empty or not absolute (the specification says to ignore it then).
     *
     * @param env the environment, normally {@code System.getenv()}
     * @param home the user's home directory, normally {@code Path.of(System.getProperty("user.home"))}
     * @return a config for that SQLite file
     */
    public static StoreConfig defaultSqlite(Map<String, String> env, Path home) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(home, "home");
        String xdg = env.getOrDefault("XDG_DATA_HOME", "");
        Path dataHome = !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : home.resolve(".local/share");
        return sqlite(dataHome.resolve("hangar").resolve("hangar.db"));
    }

    /** @return true for a {@code jdbc:sqlite:} URL */
    public boolean isSqlite() {
        return jdbcUrl.startsWith(SQLITE_PREFIX);
    }

    /** @return the SQLite database file; only meaningful when {@link #isSqlite()} */
    Path sqliteFile() {
        return Path.of(sqliteFileOf(jdbcUrl));
    }

    /** @return the URL without passwords or query parameters, e.g. {@code postgresql://db:5432/hangar} */
    String describe() {
        String rest = jdbcUrl.substring("jdbc:".length());
        int query = rest.indexOf('?');
        if (query >= 0) rest = rest.substring(0, query);
        return USER_INFO.matcher(rest).replaceFirst("//");
    }

    @Override
    public String toString() {
        return "StoreConfig[jdbcUrl=" + redact(jdbcUrl) + ", username=" + username + ", password="
                + (password.isEmpty() ? "" : "<redacted>") + "]";
    }

    private static String sqliteFileOf(String url) {
        String rest = url.substring(SQLITE_PREFIX.length());
        if (rest.startsWith("file:")) rest = rest.substring("file:".length());
        int query = rest.indexOf('?');
        return query >= 0 ? rest.substring(0, query) : rest;
    }

    private static String redact(String url) {
        String noPassword = PASSWORD_PARAM.matcher(url).replaceAll("$1<redacted>");
        return USER_INFO.matcher(noPassword).replaceFirst("//<redacted>@");
    }
}
