-- Reset through the control plane (issue #13, item 5): per workspace, how many resets were asked
-- for and up to which one the reconciler carried them out; a reset is pending while
-- requested > done, so one interrupted by a crash is done again at the next pass.
-- The PostgreSQL twin is db/migration/postgresql/V13__workspace_reset.sql.
CREATE TABLE workspace_resets (
    workspace_id TEXT    NOT NULL PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    requested    INTEGER NOT NULL CHECK (requested >= 0),
    done         INTEGER NOT NULL CHECK (done >= 0 AND done <= requested)
) STRICT;
