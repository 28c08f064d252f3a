package dev.hangar.store;

import static dev.hangar.store.Columns.millis;
import static dev.hangar.store.Columns.stored;
import static dev.hangar.store.Columns.text;

import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.OidcIdentity;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.SshPublicKey;
import dev.hangar.core.domain.TokenAndOwner;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.store.UserStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code users}, {@code ssh_keys} and {@code api_tokens} tables (V1, reshaped by V3: roles,
 * disabled users, named tokens with expiry and last use). Thread-safe; semantics as
 * {@link UserStore} states. Keys and tokens must belong to an existing user: adding one for an
 * unknown owner throws {@link NotFoundException} (a foreign key refuses it). The {@code
 * oidc_identities} table (V10) links OpenID Connect identities to users and goes with the user
 * (foreign key with cascade).
 */
final class JdbiUserStore implements UserStore {

    private static final String KEY_COLUMNS = "owner, algorithm, key_base64, comment, bits, fingerprint, added_at_ms";
    private static final String USER_COLUMNS = "name, role, disabled, created_at_ms";
    private static final String IDENTITY_COLUMNS = "issuer, subject, user_name, linked_at_ms";
    private static final String TOKEN_COLUMNS =
            "id, owner, secret_hash, name, created_at_ms, expires_at_ms, last_used_at_ms";

    private final Session session;

    JdbiUserStore(Session session) {
        this.session = session;
    }

    @Override
    public User insert(User user) {
        Objects.requireNonNull(user, "user");
        User stored = new User(user.name(), user.role(), user.disabled(), stored("createdAt", user.createdAt()));
        session.write(
                h -> h.createUpdate("INSERT INTO users (" + USER_COLUMNS + ") VALUES (:name, :role, :disabled,"
                                + " :createdAt)")
                        .bind("name", text("name", user.name()))
                        .bind("role", user.role().wireName())
                        .bind("disabled", user.disabled())
                        .bind("createdAt", millis("createdAt", user.createdAt()))
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.UNIQUE
                        ? Optional.of(new ConflictException("name", "user '" + user.name() + "' already exists"))
                        : Optional.empty());
        return stored;
    }

    @Override
    public Optional<User> find(String name) {
        Objects.requireNonNull(name, "name");
        return session.read(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users WHERE name = :name")
                .bind("name", name)
                .map(JdbiUserStore::user)
                .findOne());
    }

    @Override
    public List<User> list() {
        return session.read(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users ORDER BY name")
                .map(JdbiUserStore::user)
                .list());
    }

    @Override
    public User update(User user) {
        Objects.requireNonNull(user, "user");
        int n = session.write(
                h -> h.createUpdate("UPDATE users SET role = :role, disabled = :disabled WHERE name = :name")
                        .bind("role", user.role().wireName())
                        .bind("disabled", user.disabled())
                        .bind("name", user.name())
                        .execute());
        if (n != 1) throw noSuchUser(user.name());
        return find(user.name()).orElseThrow(() -> noSuchUser(user.name()));
    }

    @Override
    public boolean delete(String name) {
        Objects.requireNonNull(name, "name");
        return session.write(h -> {
                    h.createUpdate("DELETE FROM ssh_keys WHERE owner = :name")
                            .bind("name", name)
                            .execute();
                    h.createUpdate("DELETE FROM api_tokens WHERE owner = :name")
                            .bind("name", name)
                            .execute();
                    return h.createUpdate("DELETE FROM users WHERE name = :name")
                            .bind("name", name)
                            .execute();
                })
                == 1;
    }

    @Override
    public UserSshKey addKey(UserSshKey key) {
        Objects.requireNonNull(key, "key");
        SshPublicKey k = key.key();
        UserSshKey stored = new UserSshKey(key.owner(), k, stored("addedAt", key.addedAt()));
        session.write(
                h -> h.createUpdate("INSERT INTO ssh_keys (" + KEY_COLUMNS + ") VALUES (:owner, :algorithm,"
                                + " :base64, :comment, :bits, :fingerprint, :addedAt)")
                        .bind("owner", text("owner", key.owner()))
                        .bind("algorithm", text("key.algorithm", k.algorithm()))
                        .bind("base64", text("key.base64", k.base64()))
                        .bind("comment", text("key.comment", k.comment()))
                        .bind("bits", k.bits())
                        .bind("fingerprint", text("key.fingerprint", k.fingerprint()))
                        .bind("addedAt", millis("addedAt", key.addedAt()))
                        .execute(),
                v -> switch (v.kind()) {
                    // Deliberately not saying who owns it: a key identifies one user at the gateway.
                    case UNIQUE ->
                        Optional.of(new ConflictException(
                                "key", "the SSH key " + k.fingerprint() + " is already registered; use another key"));
                    case FOREIGN_KEY -> Optional.of(noSuchUser(key.owner()));
                });
        return stored;
    }

    @Override
    public List<UserSshKey> keys(String owner) {
        Objects.requireNonNull(owner, "owner");
        return session.read(h -> h.createQuery(
                        "SELECT " + KEY_COLUMNS + " FROM ssh_keys WHERE owner = :owner ORDER BY added_at_ms, id")
                .bind("owner", owner)
                .map(JdbiUserStore::key)
                .list());
    }

    @Override
    public Optional<UserSshKey> findKey(String fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        return session.read(h -> h.createQuery("SELECT " + KEY_COLUMNS + " FROM ssh_keys WHERE fingerprint = :fp")
                .bind("fp", fingerprint)
                .map(JdbiUserStore::key)
                .findOne());
    }

    @Override
    public boolean removeKey(String owner, String fingerprint) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(fingerprint, "fingerprint");
        return session.write(h -> h.createUpdate("DELETE FROM ssh_keys WHERE owner = :owner AND fingerprint = :fp")
                        .bind("owner", owner)
                        .bind("fp", fingerprint)
                        .execute()
                == 1);
    }

    @Override
    public ApiToken insertToken(ApiToken token) {
        Objects.requireNonNull(token, "token");
        ApiToken stored = new ApiToken(
                token.id(),
                token.owner(),
                token.secretHash(),
                token.name(),
                stored("createdAt", token.createdAt()),
                token.expiresAt().map(e -> stored("expiresAt", e)),
                token.lastUsedAt().map(e -> stored("lastUsedAt", e)));
        session.write(
                h -> h.createUpdate("INSERT INTO api_tokens (" + TOKEN_COLUMNS
                                + ") VALUES (:id, :owner, :secretHash, :name, :createdAt, :expiresAt, :lastUsedAt)")
                        .bind("id", text("id", token.id()))
                        .bind("owner", text("owner", token.owner()))
                        .bind("secretHash", text("secretHash", token.secretHash()))
                        .bind("name", text("name", token.name()))
                        .bind("createdAt", millis("createdAt", token.createdAt()))
                        .bind(
                                "expiresAt",
                                token.expiresAt()
                                        .map(e -> millis("expiresAt", e))
                                        .orElse(null))
                        .bind(
                                "lastUsedAt",
                                token.lastUsedAt()
                                        .map(e -> millis("lastUsedAt", e))
                                        .orElse(null))
                        .execute(),
                v -> switch (v.kind()) {
                    case UNIQUE ->
                        Optional.of(
                                v.mentions("name")
                                        ? new ConflictException(
                                                "name",
                                                "a token named '" + token.name() + "' exists; revoke it or choose"
                                                        + " another name")
                                        : new ConflictException("id", "a token with id " + token.id() + " exists"));
                    case FOREIGN_KEY -> Optional.of(noSuchUser(token.owner()));
                });
        return stored;
    }

    @Override
    public Optional<ApiToken> findToken(String id) {
        Objects.requireNonNull(id, "id");
        return session.read(h -> h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM api_tokens WHERE id = :id")
                .bind("id", id)
                .map(JdbiUserStore::token)
                .findOne());
    }

    @Override
    public Optional<TokenAndOwner> findTokenWithOwner(String id) {
        Objects.requireNonNull(id, "id");
        // the token's columns under their own names, the user's under u_ (both have created_at_ms);
        // api_tokens.owner references users.name (V1's foreign key), so an existing token has a user
        return session.read(h -> h.createQuery("SELECT t.id, t.owner, t.secret_hash, t.name, t.created_at_ms,"
                        + " t.expires_at_ms, t.last_used_at_ms, u.role AS u_role, u.disabled AS u_disabled,"
                        + " u.created_at_ms AS u_created_at_ms"
                        + " FROM api_tokens t JOIN users u ON u.name = t.owner WHERE t.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new TokenAndOwner(
                        token(rs, ctx),
                        new User(
                                rs.getString("owner"),
                                Role.parse("role", rs.getString("u_role")),
                                rs.getBoolean("u_disabled"),
                                Instant.ofEpochMilli(rs.getLong("u_created_at_ms")))))
                .findOne());
    }

    @Override
    public List<ApiToken> tokens(String owner) {
        Objects.requireNonNull(owner, "owner");
        return session.read(
                h -> h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM api_tokens WHERE owner = :owner ORDER BY name")
                        .bind("owner", owner)
                        .map(JdbiUserStore::token)
                        .list());
    }

    @Override
    public boolean touchToken(String id, Instant at, Instant unlessSince) {
        Objects.requireNonNull(id, "id");
        return session.write(h -> h.createUpdate("UPDATE api_tokens SET last_used_at_ms = :at WHERE id = :id AND"
                                + " (last_used_at_ms IS NULL OR last_used_at_ms < :since)")
                        .bind("at", millis("at", at))
                        .bind("since", millis("unlessSince", unlessSince))
                        .bind("id", id)
                        .execute())
                == 1;
    }

    @Override
    public boolean removeToken(String id) {
        Objects.requireNonNull(id, "id");
        return session.write(h -> h.createUpdate("DELETE FROM api_tokens WHERE id = :id")
                        .bind("id", id)
                        .execute()
                == 1);
    }

    @Override
    public OidcIdentity linkIdentity(OidcIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        OidcIdentity stored = new OidcIdentity(
                identity.issuer(), identity.subject(), identity.userName(), stored("linkedAt", identity.linkedAt()));
        session.write(
                h -> h.createUpdate("INSERT INTO oidc_identities (" + IDENTITY_COLUMNS
                                + ") VALUES (:issuer, :subject, :userName, :linkedAt)")
                        .bind("issuer", text("issuer", identity.issuer()))
                        .bind("subject", text("subject", identity.subject()))
                        .bind("userName", text("userName", identity.userName()))
                        .bind("linkedAt", millis("linkedAt", identity.linkedAt()))
                        .execute(),
                v -> switch (v.kind()) {
                    case UNIQUE ->
                        Optional.of(new ConflictException(
                                "subject", "this OpenID Connect identity is linked to a Hangar user already"));
                    case FOREIGN_KEY -> Optional.of(noSuchUser(identity.userName()));
                });
        return stored;
    }

    @Override
    public Optional<OidcIdentity> findIdentity(String issuer, String subject) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        return session.read(h -> h.createQuery("SELECT " + IDENTITY_COLUMNS
                        + " FROM oidc_identities WHERE issuer = :issuer AND subject = :subject")
                .bind("issuer", issuer)
                .bind("subject", subject)
                .map((rs, ctx) -> new OidcIdentity(
                        rs.getString("issuer"),
                        rs.getString("subject"),
                        rs.getString("user_name"),
                        Instant.ofEpochMilli(rs.getLong("linked_at_ms"))))
                .findOne());
    }

    private static NotFoundException noSuchUser(String owner) {
        return new NotFoundException("user '" + owner + "' does not exist; create the user first");
    }

    private static User user(ResultSet rs, StatementContext ctx) throws SQLException {
        return new User(
                rs.getString("name"),
                Role.parse("role", rs.getString("role")),
                rs.getBoolean("disabled"),
                Instant.ofEpochMilli(rs.getLong("created_at_ms")));
    }

    private static UserSshKey key(ResultSet rs, StatementContext ctx) throws SQLException {
        return new UserSshKey(
                rs.getString("owner"),
                new SshPublicKey(
                        rs.getString("algorithm"),
                        rs.getString("key_base64"),
                        rs.getString("comment"),
                        rs.getInt("bits"),
                        rs.getString("fingerprint")),
                Instant.ofEpochMilli(rs.getLong("added_at_ms")));
    }

    private static ApiToken token(ResultSet rs, StatementContext ctx) throws SQLException {
        return new ApiToken(
                rs.getString("id"),
                rs.getString("owner"),
                rs.getString("secret_hash"),
                rs.getString("name"),
                Instant.ofEpochMilli(rs.getLong("created_at_ms")),
                optionalMillis(rs, "expires_at_ms"),
                optionalMillis(rs, "last_used_at_ms"));
    }

    private static Optional<Instant> optionalMillis(ResultSet rs, String column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ms));
    }
}
