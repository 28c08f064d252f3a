-- Idle auto-stop (issue #15, item 5): per workspace, the last activity (SSH bytes through the
-- gateway, console, USB, a lease, a start), the end of an explicit lease, the idle period whose
-- stop warning was given, and the auto-stop setting chosen at create.
-- The SQLite twin is db/migration/sqlite/V5__activity_lease.sql.
CREATE TABLE workspace_activity (
    workspace_id     TEXT   NOT NULL,
    last_activity_ms BIGINT NOT NULL,
    -- 0: no lease
    lease_until_ms   BIGINT NOT NULL,
    -- the last_activity_ms of the idle period that was warned about; 0: none
    warned_for_ms    BIGINT NOT NULL,
    -- NULL: the template's setting; 0: off; else the idle time in seconds
    autostop_seconds BIGINT,
    CONSTRAINT workspace_activity_pkey PRIMARY KEY (workspace_id),
    CONSTRAINT workspace_activity_workspace_id_fkey FOREIGN KEY (workspace_id)
        REFERENCES workspaces (id) ON DELETE CASCADE
);
