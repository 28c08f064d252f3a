package dev.hangar.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL server per test class ({@link RootSafePostgres}: zonky's binaries, also as
 * root), started before the class's first test and stopped (its data removed) after its last, with
 * a new empty database per call of {@link #newDatabase}. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension("hangar_test");
 * }</pre>
 *
 * Shared through hangar-store's test-jar. Thread-safe.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback {
    private final String prefix;
    private final AtomicInteger databases = new AtomicInteger();
    private volatile EmbeddedPostgres postgres;

    /** @param prefix start of each database's name (a lower-case SQL identifier), then {@code _N} */
    public EmbeddedPostgresExtension(String prefix) {
        if (!prefix.matches("[a-z_][a-z0-9_]*"))
            throw new IllegalArgumentException("prefix must be a lower-case SQL identifier, got '" + prefix + "'");
        this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        postgres = RootSafePostgres.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        EmbeddedPostgres p = postgres;
        postgres = null;
        if (p != null) p.close();
    }

    /**
     * Creates a new empty database {@code <prefix>_<n>} (n counts from 1 per class).
     *
     * @return its JDBC URL on the loopback address, with a 10 s connect timeout; the superuser is
     *     {@code postgres} (trust authentication: any password)
     * @throws IllegalStateException outside the class's tests (the server is not running)
     */
    public String newDatabase() throws Exception {
        EmbeddedPostgres p = server();
        String name = prefix + "_" + databases.incrementAndGet();
        try (Connection c = p.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://127.0.0.1:" + p.getPort() + "/" + name + "?connectTimeout=10";
    }

    /** @return the running server (e.g. for its port) */
    public EmbeddedPostgres server() {
        EmbeddedPostgres p = postgres;
        if (p == null)
            throw new IllegalStateException("PostgreSQL is not running: register the extension on a static field");
        return p;
    }
}
