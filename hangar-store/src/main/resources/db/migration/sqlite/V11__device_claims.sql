-- Host device claims (issue #19, item 4): which workspace holds which host PCI device passed
-- through to a local VM. The PCI address is the primary key, so no two workspaces ever hold one
-- device (concurrent claims: the second insert finds the row). Released with the workspace.
-- The PostgreSQL twin is db/migration/postgresql/V11__device_claims.sql.
CREATE TABLE device_claims (
    address       TEXT    NOT NULL PRIMARY KEY,
    device_name   TEXT    NOT NULL,
    workspace_id  TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    claimed_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX device_claims_workspace ON device_claims (workspace_id);
