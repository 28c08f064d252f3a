-- Host device claims (issue #19, item 4): which workspace holds which host PCI device passed
-- through to a local VM. The PCI address is the primary key, so no two workspaces ever hold one
-- device (a concurrent claim's insert waits for the first transaction, then finds the row).
-- Released with the workspace. The SQLite twin is db/migration/sqlite/V11__device_claims.sql.
CREATE TABLE device_claims (
    address       TEXT COLLATE "C" NOT NULL,
    device_name   TEXT COLLATE "C" NOT NULL,
    workspace_id  TEXT COLLATE "C" NOT NULL,
    claimed_at_ms BIGINT NOT NULL,
    CONSTRAINT device_claims_pkey PRIMARY KEY (address),
    CONSTRAINT device_claims_workspace_id_fkey FOREIGN KEY (workspace_id)
        REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE INDEX device_claims_workspace ON device_claims (workspace_id);
