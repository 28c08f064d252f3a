package dev.hangar.store;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.store.QuotaStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code user_quotas} table (V7; device limits in V14's {@code devices} column): one optional
 * row per user, NULL columns not overridden,
 * removed with the user (foreign key with cascade). Thread-safe; semantics as {@link QuotaStore}
 * states. {@link #save} is one upsert ({@code INSERT ... ON CONFLICT DO UPDATE}, same SQL on both
 * dialects); {@link #lockOwner} is {@code SELECT ... FOR UPDATE} on PostgreSQL and nothing on
 * SQLite, whose write transactions this store already runs one at a time.
 */
final class JdbiQuotaStore implements QuotaStore {
    private static final String COLUMNS = "running, cpus, memory_mib, disk_gib, devices";

    private final Session session;

    JdbiQuotaStore(Session session) {
        this.session = session;
    }

    @Override
    public Optional<QuotaLimits> find(String user) {
        Objects.requireNonNull(user, "user");
        return session.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM user_quotas WHERE user_name = :user")
                .bind("user", user)
                .map(JdbiQuotaStore::row)
                .findOne());
    }

    @Override
    public QuotaLimits save(String user, QuotaLimits o) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(o, "override");
        if (o.unlimited()) {
            if (session.read(h -> h.createQuery("SELECT COUNT(*) FROM users WHERE name = :user")
                            .bind("user", user)
                            .mapTo(Long.class)
                            .one())
                    == 0) throw noSuchUser(user);
            session.write(h -> h.createUpdate("DELETE FROM user_quotas WHERE user_name = :user")
                    .bind("user", user)
                    .execute());
            return o;
        }
        session.write(
                h -> h.createUpdate("INSERT INTO user_quotas (user_name, " + COLUMNS
                                + ") VALUES (:user, :running, :cpus, :memory, :disk, :devices) ON CONFLICT (user_name)"
                                + " DO UPDATE SET running = excluded.running, cpus = excluded.cpus, memory_mib ="
                                + " excluded.memory_mib, disk_gib = excluded.disk_gib, devices = excluded.devices")
                        .bind("user", user)
                        .bind("running", boxed(o.running()))
                        .bind("cpus", boxed(o.cpus()))
                        .bind("memory", boxed(o.memoryMiB()))
                        .bind("disk", boxed(o.diskGiB()))
                        .bind("devices", devices(o.devices()))
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(noSuchUser(user))
                        : Optional.empty());
        return o;
    }

    @Override
    public void lockOwner(String user) {
        Objects.requireNonNull(user, "user");
        if (session.dialect() != Dialect.POSTGRESQL) return;
        session.read(h -> h.createQuery("SELECT name FROM users WHERE name = :user FOR UPDATE")
                .bind("user", user)
                .mapTo(String.class)
                .findOne());
    }

    private static Integer boxed(OptionalInt i) {
        return i.isPresent() ? i.getAsInt() : null;
    }

    private static Long boxed(OptionalLong l) {
        return l.isPresent() ? l.getAsLong() : null;
    }

    private static NotFoundException noSuchUser(String user) {
        return new NotFoundException("user '" + user + "' does not exist");
    }

    private static QuotaLimits row(ResultSet rs, StatementContext ctx) throws SQLException {
        int running = rs.getInt("running");
        OptionalInt r = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(running);
        int cpus = rs.getInt("cpus");
        OptionalInt c = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(cpus);
        long memory = rs.getLong("memory_mib");
        OptionalLong m = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(memory);
        long disk = rs.getLong("disk_gib");
        OptionalLong d = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(disk);
        return new QuotaLimits(r, c, m, d, devices(rs.getString("devices")));
    }

    /** @return the device limits as the V14 column holds them: {@code name=count} joined by {@code ,}, by name */
    static String devices(Map<String, Integer> limits) {
        StringJoiner j = new StringJoiner(",");
        new TreeMap<>(limits).forEach((name, count) -> j.add(name + "=" + count));
        return j.toString();
    }

    /**
     * @return the device limits of a column value written by {@link #devices(Map)}
     * @throws IllegalArgumentException when the value is not in that form
     */
    static Map<String, Integer> devices(String column) {
        Map<String, Integer> out = new TreeMap<>();
        if (column.isEmpty()) return out;
        for (String e : column.split(",")) {
            int eq = e.lastIndexOf('=');
            if (eq < 0) throw new IllegalArgumentException("stored device limit '" + e + "' has no '='");
            out.put(e.substring(0, eq), Integer.parseInt(e.substring(eq + 1)));
        }
        return out;
    }
}
