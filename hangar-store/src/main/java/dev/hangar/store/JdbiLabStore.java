package dev.hangar.store;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabMember;
import dev.hangar.core.lab.LabSpec;
import dev.hangar.core.store.LabStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The {@code labs} and {@code lab_members} tables (V8). Thread-safe; semantics as {@link LabStore}
 * states. {@link #insert} writes the lab and its slots in one write (atomic); a lab is read with
 * its slots in two queries on one handle.
 */
final class JdbiLabStore implements LabStore {
    private final Session session;

    JdbiLabStore(Session session) {
        this.session = session;
    }

    @Override
    public Lab insert(Lab lab) {
        Objects.requireNonNull(lab, "lab");
        Lab stored = new Lab(
                lab.id(),
                lab.owner(),
                lab.spec(),
                lab.subnet(),
                Columns.stored("createdAt", lab.createdAt()),
                lab.members());
        session.write(
                h -> {
                    h.createUpdate("INSERT INTO labs (id, owner, name, spec, subnet, created_at_ms)"
                                    + " VALUES (:id, :owner, :name, :spec, :subnet, :created)")
                            .bind("id", lab.id())
                            .bind("owner", lab.owner())
                            .bind("name", Columns.text("name", lab.name()))
                            .bind("spec", Columns.text("spec", lab.spec().toJson()))
                            .bind("subnet", lab.subnet())
                            .bind("created", Columns.millis("createdAt", lab.createdAt()))
                            .execute();
                    int ordinal = 0;
                    for (LabMember m : lab.members()) {
                        h.createUpdate("INSERT INTO lab_members (lab_id, ordinal, group_name, idx, workspace_name,"
                                        + " workspace_id, address, error) VALUES (:lab, :ordinal, :group, :idx,"
                                        + " :workspace, :workspaceId, :address, :error)")
                                .bind("lab", lab.id())
                                .bind("ordinal", ordinal++)
                                .bind("group", m.group())
                                .bind("idx", m.index())
                                .bind("workspace", m.workspaceName())
                                .bind("workspaceId", m.workspaceId())
                                .bind("address", m.address())
                                .bind("error", Columns.text("error", m.error()))
                                .execute();
                    }
                    return null;
                },
                v -> Optional.ofNullable(violation(v, lab)));
        return stored;
    }

    /** @return the domain exception for a violated constraint of {@link #insert}; null for none */
    private static RuntimeException violation(ConstraintViolation v, Lab lab) {
        if (v.kind() == ConstraintViolation.Kind.FOREIGN_KEY)
            return new NotFoundException("user '" + lab.owner() + "' does not exist");
        if (v.mentions("subnet"))
            return new ConflictException("subnet", "subnet " + lab.subnet() + " is held by another lab");
        if (v.mentions("name"))
            return new ConflictException(
                    "name", "user '" + lab.owner() + "' already has a lab named '" + lab.name() + "'");
        return null;
    }

    @Override
    public Optional<Lab> find(String owner, String name) {
        return session.read(h -> h.createQuery("SELECT * FROM labs WHERE owner = :owner AND name = :name")
                .bind("owner", owner)
                .bind("name", name)
                .map((rs, ctx) -> row(rs))
                .findOne()
                .map(r -> withMembers(h, r)));
    }

    @Override
    public Optional<Lab> findByWorkspace(String workspaceId) {
        if (workspaceId.isEmpty()) return Optional.empty();
        return session.read(h -> h.createQuery(
                        "SELECT l.* FROM labs l JOIN lab_members m ON m.lab_id = l.id" + " WHERE m.workspace_id = :ws")
                .bind("ws", workspaceId)
                .map((rs, ctx) -> row(rs))
                .findFirst()
                .map(r -> withMembers(h, r)));
    }

    @Override
    public List<Lab> list(String owner) {
        return session.read(h -> {
            List<Row> rows = owner.isEmpty()
                    ? h.createQuery("SELECT * FROM labs ORDER BY owner, name")
                            .map((rs, ctx) -> row(rs))
                            .list()
                    : h.createQuery("SELECT * FROM labs WHERE owner = :owner ORDER BY owner, name")
                            .bind("owner", owner)
                            .map((rs, ctx) -> row(rs))
                            .list();
            List<Lab> out = new ArrayList<>(rows.size());
            for (Row r : rows) out.add(withMembers(h, r));
            return out;
        });
    }

    @Override
    public Set<String> subnets() {
        return session.read(h -> new LinkedHashSet<>(h.createQuery("SELECT subnet FROM labs ORDER BY subnet")
                .mapTo(String.class)
                .list()));
    }

    @Override
    public void linkMember(String labId, String group, int index, String workspaceId) {
        updateMember(labId, group, index, workspaceId, "");
    }

    @Override
    public void failMember(String labId, String group, int index, String error) {
        updateMember(labId, group, index, "", error);
    }

    private void updateMember(String labId, String group, int index, String workspaceId, String error) {
        int n = session.write(h -> h.createUpdate("UPDATE lab_members SET workspace_id = :ws, error = :error"
                        + " WHERE lab_id = :lab AND group_name = :group AND idx = :idx")
                .bind("ws", workspaceId)
                .bind("error", Columns.text("error", error))
                .bind("lab", labId)
                .bind("group", group)
                .bind("idx", index)
                .execute());
        if (n == 0) throw new NotFoundException("lab member " + group + "-" + index + " of lab " + labId + " is gone");
    }

    @Override
    public void changeOwner(String labId, String owner) {
        Optional<String> name = session.read(h -> h.createQuery("SELECT name FROM labs WHERE id = :id")
                .bind("id", labId)
                .mapTo(String.class)
                .findOne());
        if (name.isEmpty()) throw new NotFoundException("lab " + labId + " is gone");
        session.write(
                h -> h.createUpdate("UPDATE labs SET owner = :owner WHERE id = :id")
                        .bind("owner", owner)
                        .bind("id", labId)
                        .execute(),
                v -> Optional.ofNullable(
                        v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                                ? new NotFoundException("user '" + owner + "' does not exist")
                                : v.mentions("name")
                                        ? new ConflictException(
                                                "name",
                                                "user '" + owner + "' already has a lab named '" + name.get() + "'")
                                        : null));
    }

    @Override
    public boolean delete(String labId) {
        // lab_members go by ON DELETE CASCADE
        return session.write(h -> h.createUpdate("DELETE FROM labs WHERE id = :id")
                        .bind("id", labId)
                        .execute())
                > 0;
    }

    /** A labs row before its members are read. */
    private record Row(String id, String owner, String spec, String subnet, long createdAtMs) {}

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(
                rs.getString("id"),
                rs.getString("owner"),
                rs.getString("spec"),
                rs.getString("subnet"),
                rs.getLong("created_at_ms"));
    }

    private static Lab withMembers(Handle h, Row r) {
        List<LabMember> members = h.createQuery("SELECT * FROM lab_members WHERE lab_id = :lab ORDER BY ordinal")
                .bind("lab", r.id())
                .map((rs, ctx) -> new LabMember(
                        rs.getString("group_name"),
                        rs.getInt("idx"),
                        rs.getString("workspace_name"),
                        rs.getString("workspace_id"),
                        rs.getString("address"),
                        rs.getString("error")))
                .list();
        return new Lab(
                r.id(),
                r.owner(),
                LabSpec.fromJson(r.spec()),
                r.subnet(),
                Instant.ofEpochMilli(r.createdAtMs()),
                members);
    }
}
