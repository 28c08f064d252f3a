package dev.hangar.store;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.secret.SecretCipher;
import dev.hangar.core.secret.StoredSecret;
import dev.hangar.core.store.SecretStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code user_secrets} table (V9): one row per (user, name), the value encrypted, removed with
 * the user (foreign key with cascade). Thread-safe; semantics as {@link SecretStore} states. {@link
 * #save} is one upsert ({@code INSERT ... ON CONFLICT DO UPDATE}, same SQL on both dialects).
 */
final class JdbiSecretStore implements SecretStore {
    private static final String COLUMNS = "user_name, name, key_id, nonce, ciphertext, size, updated_ms";

    private final Session session;

    JdbiSecretStore(Session session) {
        this.session = session;
    }

    @Override
    public List<StoredSecret> list(String owner) {
        Objects.requireNonNull(owner, "owner");
        return session.read(
                h -> h.createQuery("SELECT " + COLUMNS + " FROM user_secrets WHERE user_name = :owner ORDER BY name")
                        .bind("owner", owner)
                        .map(JdbiSecretStore::row)
                        .list());
    }

    @Override
    public Optional<StoredSecret> find(String owner, String name) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        return session.read(
                h -> h.createQuery("SELECT " + COLUMNS + " FROM user_secrets WHERE user_name = :owner AND name = :name")
                        .bind("owner", owner)
                        .bind("name", name)
                        .map(JdbiSecretStore::row)
                        .findOne());
    }

    @Override
    public void save(StoredSecret s) {
        Objects.requireNonNull(s, "secret");
        session.write(
                h -> h.createUpdate("INSERT INTO user_secrets (" + COLUMNS
                                + ") VALUES (:owner, :name, :keyId, :nonce, :ciphertext, :size, :updated)"
                                + " ON CONFLICT (user_name, name) DO UPDATE SET key_id = excluded.key_id,"
                                + " nonce = excluded.nonce, ciphertext = excluded.ciphertext, size = excluded.size,"
                                + " updated_ms = excluded.updated_ms")
                        .bind("owner", s.owner())
                        .bind("name", s.name())
                        .bind("keyId", s.sealed().keyId())
                        .bind("nonce", s.sealed().nonce())
                        .bind("ciphertext", s.sealed().ciphertext())
                        .bind("size", s.size())
                        .bind("updated", Columns.millis("updatedAt", s.updatedAt()))
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new NotFoundException("user '" + s.owner() + "' does not exist"))
                        : Optional.empty());
    }

    @Override
    public boolean delete(String owner, String name) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        return session.write(h -> h.createUpdate("DELETE FROM user_secrets WHERE user_name = :owner AND name = :name")
                        .bind("owner", owner)
                        .bind("name", name)
                        .execute())
                > 0;
    }

    @Override
    public int count(String owner) {
        Objects.requireNonNull(owner, "owner");
        return session.read(h -> h.createQuery("SELECT COUNT(*) FROM user_secrets WHERE user_name = :owner")
                .bind("owner", owner)
                .mapTo(Integer.class)
                .one());
    }

    @Override
    public Set<String> keyIds() {
        return new HashSet<>(session.read(h -> h.createQuery("SELECT DISTINCT key_id FROM user_secrets")
                .mapTo(String.class)
                .list()));
    }

    private static StoredSecret row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StoredSecret(
                rs.getString("user_name"),
                rs.getString("name"),
                new SecretCipher.Sealed(rs.getString("key_id"), rs.getBytes("nonce"), rs.getBytes("ciphertext")),
                rs.getInt("size"),
                Instant.ofEpochMilli(rs.getLong("updated_ms")));
    }
}
