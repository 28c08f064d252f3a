package dev.hangar.store;

import static dev.hangar.store.Columns.millis;
import static dev.hangar.store.Columns.stored;
import static dev.hangar.store.Columns.text;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.domain.WorkspaceSummary;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.store.WorkspaceStore;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code workspaces} table. Thread-safe; semantics as {@link WorkspaceStore} states. The host
 * private key is sealed on write and opened on read ({@link SealedColumn}, purpose {@code
 * host-key}, bound to the workspace id): the table never holds it in clear.
 */
final class JdbiWorkspaceStore implements WorkspaceStore {

    private static final String COLUMNS = "id, name, owner, template, provider_type, cpus, memory_mib, disk_gib, image,"
            + " extra_user_data, host_key_algorithm, host_key_public, host_key_private, desired, phase, reason,"
            + " ssh_host, ssh_port, restart_pending, failures, created_at_ms, updated_at_ms, version, devcontainer, devices";

    /** What {@link #summary} reads, in this order (it maps by position). */
    private static final String SUMMARY_COLUMNS = "id, name, owner, template, provider_type, cpus, memory_mib,"
            + " disk_gib, image, devcontainer, devices, host_key_public, desired, phase, reason, created_at_ms,"
            + " updated_at_ms, version";

    private static final String INSERT = "INSERT INTO workspaces (" + COLUMNS + ") VALUES (:id, :name, :owner,"
            + " :template, :providerType, :cpus, :memoryMiB, :diskGiB, :image, :extraUserData, :hostKeyAlgorithm,"
            + " :hostKeyPublic, :hostKeyPrivate, :desired, :phase, :reason, :sshHost, :sshPort, :restartPending,"
            + " :failures, :createdAt, :updatedAt, :version, :devcontainer, :devices)";

    // The version check in the WHERE clause is the optimistic-concurrency test: on PostgreSQL a
    // concurrent writer blocks on the row lock and then re-evaluates it (READ COMMITTED), on SQLite
    // writers are serialised; either way exactly one writer per version matches.
    private static final String UPDATE = "UPDATE workspaces SET name = :name, owner = :owner, template = :template,"
            + " provider_type = :providerType, cpus = :cpus, memory_mib = :memoryMiB, disk_gib = :diskGiB,"
            + " image = :image, extra_user_data = :extraUserData, host_key_algorithm = :hostKeyAlgorithm,"
            + " host_key_public = :hostKeyPublic, host_key_private = :hostKeyPrivate, desired = :desired,"
            + " phase = :phase, reason = :reason, ssh_host = :sshHost, ssh_port = :sshPort,"
            + " restart_pending = :restartPending, failures = :failures, created_at_ms = :createdAt,"
            + " updated_at_ms = :updatedAt, version = :newVersion, devcontainer = :devcontainer, devices = :devices WHERE id = :id AND version = :version";

    private final Session session;
    private final SealedColumn hostKeys;

    JdbiWorkspaceStore(Session session, SealedColumn hostKeys) {
        this.session = session;
        this.hostKeys = hostKeys;
    }

    @Override
    public Workspace insert(Workspace workspace) {
        Objects.requireNonNull(workspace, "workspace");
        Workspace stored = storedForm(workspace, workspace.version());
        session.write(
                h -> bind(h.createUpdate(INSERT), stored)
                        .bind("version", stored.version())
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.UNIQUE
                        ? Optional.of(duplicate(v, workspace))
                        : Optional.empty());
        return stored;
    }

    @Override
    public Optional<Workspace> find(String id) {
        Objects.requireNonNull(id, "id");
        return session.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM workspaces WHERE id = :id")
                .bind("id", id)
                .map(this::row)
                .findOne());
    }

    @Override
    public Optional<Workspace> findByName(String owner, String name) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        return session.read(
                h -> h.createQuery("SELECT " + COLUMNS + " FROM workspaces WHERE owner = :owner AND name = :name")
                        .bind("owner", owner)
                        .bind("name", name)
                        .map(this::row)
                        .findOne());
    }

    @Override
    public List<Workspace> list(WorkspaceFilter filter, WorkspaceCursor after, int limit) {
        return page(COLUMNS, filter, after, limit, this::row);
    }

    /**
     * Reads only the listing's columns (no host private key, so nothing is opened, and no extra
     * user-data), mapped by position: a 500-row page is the API's hottest query.
     */
    @Override
    public List<WorkspaceSummary> summaries(WorkspaceFilter filter, WorkspaceCursor after, int limit) {
        return page(SUMMARY_COLUMNS, filter, after, limit, JdbiWorkspaceStore::summary);
    }

    private <T> List<T> page(
            String columns, WorkspaceFilter filter, WorkspaceCursor after, int limit, RowMapper<T> mapper) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(after, "after");
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        StringBuilder sql = new StringBuilder("SELECT " + columns + " FROM workspaces WHERE 1 = 1");
        if (!filter.owner().isEmpty()) sql.append(" AND owner = :owner");
        if (!filter.phases().isEmpty()) sql.append(" AND phase IN (<phases>)");
        if (!filter.template().isEmpty()) sql.append(" AND template = :template");
        if (!filter.providerType().isEmpty()) sql.append(" AND provider_type = :providerType");
        // Keyset pagination on the (owner, name) unique key: spelled out rather than as a row-value
        // comparison so that both SQLite and PostgreSQL use the index the same way.
        if (!after.isStart()) sql.append(" AND (owner > :afterOwner OR (owner = :afterOwner AND name > :afterName))");
        sql.append(" ORDER BY owner, name");
        if (limit != Integer.MAX_VALUE) sql.append(" LIMIT :limit");
        return session.read(h -> {
            Query query = h.createQuery(sql.toString());
            if (!filter.owner().isEmpty()) query.bind("owner", filter.owner());
            if (!filter.phases().isEmpty())
                query.bindList(
                        "phases",
                        filter.phases().stream().map(Phase::name).sorted().toList());
            if (!filter.template().isEmpty()) query.bind("template", filter.template());
            if (!filter.providerType().isEmpty()) query.bind("providerType", filter.providerType());
            if (!after.isStart()) query.bind("afterOwner", after.owner()).bind("afterName", after.name());
            if (limit != Integer.MAX_VALUE) query.bind("limit", limit);
            return query.map(mapper).list();
        });
    }

    @Override
    public Map<Phase, Long> countByPhase() {
        return session.read(h -> {
            Map<Phase, Long> counts = new EnumMap<>(Phase.class);
            h.createQuery("SELECT phase, COUNT(*) AS n FROM workspaces GROUP BY phase")
                    .map((rs, ctx) -> Map.entry(Phase.parse(rs.getString("phase")), rs.getLong("n")))
                    .forEach(e -> counts.put(e.getKey(), e.getValue()));
            return counts;
        });
    }

    @Override
    public Workspace update(Workspace workspace) {
        Objects.requireNonNull(workspace, "workspace");
        Workspace stored = storedForm(workspace, workspace.version() + 1);
        session.write(
                h -> {
                    int rows = bind(h.createUpdate(UPDATE), stored)
                            .bind("newVersion", stored.version())
                            .bind("version", workspace.version())
                            .execute();
                    if (rows == 0) throw missingOrStale(h, workspace.id(), workspace.version());
                    return rows;
                },
                v -> v.kind() == ConstraintViolation.Kind.UNIQUE
                        ? Optional.of(duplicate(v, workspace))
                        : Optional.empty());
        return stored;
    }

    @Override
    public boolean delete(String id, long version) {
        Objects.requireNonNull(id, "id");
        // workspace_events rows go with the row through ON DELETE CASCADE (foreign_keys=ON on SQLite)
        return session.write(h -> {
            int rows = h.createUpdate("DELETE FROM workspaces WHERE id = :id AND version = :version")
                    .bind("id", id)
                    .bind("version", version)
                    .execute();
            if (rows == 1) return true;
            if (storedVersion(h, id).isPresent()) throw new StaleVersionException(id, version);
            return false;
        });
    }

    @Override
    public long count() {
        return session.read(h -> h.createQuery("SELECT COUNT(*) FROM workspaces")
                .mapTo(Long.class)
                .one());
    }

    @Override
    public long generation() {
        // a sum over the slots (one on SQLite, 16 on PostgreSQL, see V21): each commit raises one
        return session.read(h -> h.createQuery("SELECT SUM(value) FROM workspaces_generation")
                .mapTo(Long.class)
                .one());
    }

    private static RuntimeException missingOrStale(Handle h, String id, long expected) {
        return storedVersion(h, id).isPresent()
                ? new StaleVersionException(id, expected)
                : new NotFoundException("workspace " + id + " does not exist");
    }

    private static Optional<Long> storedVersion(Handle h, String id) {
        return h.createQuery("SELECT version FROM workspaces WHERE id = :id")
                .bind("id", id)
                .mapTo(Long.class)
                .findOne();
    }

    private static RuntimeException duplicate(ConstraintViolation v, Workspace w) {
        if (v.mentions("owner")) {
            return new ConflictException(
                    "name",
                    "user '" + w.owner() + "' already has a workspace named '" + w.name() + "'; pick another name");
        }
        return new ConflictException("id", "a workspace with id " + w.id() + " already exists");
    }

    /** @return {@code w} as it reads back: instants truncated to milliseconds, carrying {@code version} */
    private static Workspace storedForm(Workspace w, long version) {
        return w.withTimes(stored("createdAt", w.createdAt()), stored("updatedAt", w.updatedAt()))
                .withVersion(version);
    }

    private <S extends SqlStatement<S>> S bind(S statement, Workspace w) {
        WorkspaceParameters p = w.parameters();
        SshHostKey key = w.hostKey();
        return statement
                .bind("id", text("id", w.id()))
                .bind("name", text("name", w.name()))
                .bind("owner", text("owner", w.owner()))
                .bind("template", text("template", w.template()))
                .bind("providerType", text("providerType", w.providerType()))
                .bind("cpus", p.resources().cpus())
                .bind("memoryMiB", p.resources().memoryMiB())
                .bind("diskGiB", p.resources().diskGiB())
                .bind("image", text("parameters.image", p.image()))
                .bind("extraUserData", text("parameters.extraUserData", p.extraUserData()))
                .bind("devcontainer", text("parameters.devcontainer", p.devcontainer()))
                .bind("devices", Columns.devices(p.devices()))
                .bind("hostKeyAlgorithm", text("hostKey.algorithm", key.algorithm()))
                .bind("hostKeyPublic", text("hostKey.publicKey", key.publicKey()))
                .bind(
                        "hostKeyPrivate",
                        hostKeys.seal(w.id(), text("hostKey.privateKeyOpenSsh", key.privateKeyOpenSsh())))
                .bind("desired", w.desired().wire())
                .bind("phase", w.phase().name())
                .bind("reason", text("reason", w.reason()))
                .bind("sshHost", text("sshHost", w.sshHost()))
                .bind("sshPort", w.sshPort())
                .bind("restartPending", w.restartPending())
                .bind("failures", w.failures())
                .bind("createdAt", millis("createdAt", w.createdAt()))
                .bind("updatedAt", millis("updatedAt", w.updatedAt()));
    }

    private static WorkspaceSummary summary(ResultSet rs, StatementContext ctx) throws SQLException {
        return new WorkspaceSummary(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                new Resources(rs.getInt(6), rs.getInt(7), rs.getInt(8)),
                rs.getString(9),
                rs.getString(10),
                Columns.devices(rs.getString(11)),
                rs.getString(12),
                DesiredState.fromWire(rs.getString(13)),
                Phase.parse(rs.getString(14)),
                rs.getString(15),
                java.time.Instant.ofEpochMilli(rs.getLong(16)),
                java.time.Instant.ofEpochMilli(rs.getLong(17)),
                rs.getLong(18));
    }

    private Workspace row(ResultSet rs, StatementContext ctx) throws SQLException {
        String id = rs.getString("id");
        return new Workspace(
                id,
                new Workspace.Spec(
                        rs.getString("name"),
                        rs.getString("owner"),
                        rs.getString("template"),
                        rs.getString("provider_type"),
                        new WorkspaceParameters(
                                new Resources(rs.getInt("cpus"), rs.getInt("memory_mib"), rs.getInt("disk_gib")),
                                rs.getString("image"),
                                rs.getString("extra_user_data"),
                                rs.getString("devcontainer"),
                                Columns.devices(rs.getString("devices"))),
                        new SshHostKey(
                                rs.getString("host_key_algorithm"),
                                hostKeys.open(id, rs.getString("host_key_private")),
                                rs.getString("host_key_public")),
                        DesiredState.fromWire(rs.getString("desired"))),
                new Workspace.Status(
                        Phase.parse(rs.getString("phase")),
                        rs.getString("reason"),
                        rs.getString("ssh_host"),
                        rs.getInt("ssh_port"),
                        rs.getBoolean("restart_pending"),
                        rs.getInt("failures")),
                java.time.Instant.ofEpochMilli(rs.getLong("created_at_ms")),
                java.time.Instant.ofEpochMilli(rs.getLong("updated_at_ms")),
                rs.getLong("version"));
    }
}
