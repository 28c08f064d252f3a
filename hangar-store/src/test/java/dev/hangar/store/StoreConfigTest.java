package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

    @Test
    void sqliteConfigUsesTheAbsoluteFile() {
        StoreConfig config = StoreConfig.sqlite(Path.of("relative/../data/hangar.db"));

        assertThat(config.jdbcUrl())
                .isEqualTo("jdbc:sqlite:" + Path.of("data/hangar.db").toAbsolutePath());
        assertThat(config.isSqlite()).isTrue();
        assertThat(config.sqliteFile()).isEqualTo(Path.of("data/hangar.db").toAbsolutePath());
        assertThat(config.describe())
                .isEqualTo("sqlite:" + Path.of("data/hangar.db").toAbsolutePath());
        assertThat(config.username()).isEmpty();
        assertThat(config.password()).isEmpty();
    }

    @Test
    void toStringAndDescribeNeverShowPasswords() {
        StoreConfig config = new StoreConfig(
                "jdbc:postgresql://hangar:pw-in-userinfo@db.example:5432/hangar?sslmode=require&password=pw-in-url",
                "hangar",
                "pw-field");

        assertThat(config.toString())
                .doesNotContain("pw-field", "pw-in-url", "pw-in-userinfo")
                .contains("db.example:5432/hangar", "sslmode=require", "username=hangar");
        assertThat(config.describe()).isEqualTo("postgresql://db.example:5432/hangar");
        assertThat(config.isSqlite()).isFalse();
    }

    @Test
    void nullCredentialsBecomeEmpty() {
        StoreConfig config = new StoreConfig("jdbc:postgresql://db/hangar", null, null);

        assertThat(config.username()).isEmpty();
        assertThat(config.password()).isEmpty();
        assertThat(config.toString()).endsWith("password=]");
    }

    @Test
    void refusesOtherDatabasesNamingWhatIsAccepted() {
        assertThatThrownBy(() -> new StoreConfig("jdbc:mysql://db/hangar?password=topsecret", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:sqlite:")
                .hasMessageContaining("jdbc:postgresql:")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void refusesInMemorySqlite() {
        assertThatThrownBy(() -> new StoreConfig("jdbc:sqlite::memory:", "", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in-memory");
        assertThatThrownBy(() -> new StoreConfig("jdbc:sqlite:file:x?mode=memory&cache=shared", "", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StoreConfig("jdbc:sqlite:", "", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultSqliteFollowsXdgDataHome() {
        Path home = Path.of("/home/u");

        assertThat(StoreConfig.defaultSqlite(Map.of(), home).sqliteFile())
                .isEqualTo(Path.of("/home/u/.local/share/hangar/hangar.db"));
        assertThat(StoreConfig.defaultSqlite(Map.of("XDG_DATA_HOME", "/data"), home)
                        .sqliteFile())
                .isEqualTo(Path.of("/data/hangar/hangar.db"));
        // relative or empty values are ignored, as the XDG Base Directory Specification requires
        assertThat(StoreConfig.defaultSqlite(Map.of("XDG_DATA_HOME", "rel"), home)
                        .sqliteFile())
                .isEqualTo(Path.of("/home/u/.local/share/hangar/hangar.db"));
        assertThat(StoreConfig.defaultSqlite(Map.of("XDG_DATA_HOME", ""), home).describe())
                .isEqualTo("sqlite:/home/u/.local/share/hangar/hangar.db");
    }
}
