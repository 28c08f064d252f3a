-- Reset through the control plane (issue #13, item 5): per workspace, how many resets were asked
-- for and up to which one the reconciler carried them out; a reset is pending while
-- requested > done, so one interrupted by a crash is done again at the next pass.
-- The SQLite twin is db/migration/sqlite/V13__workspace_reset.sql.
CREATE TABLE workspace_resets (
    workspace_id TEXT   NOT NULL,
    requested    BIGINT NOT NULL,
    done         BIGINT NOT NULL,
    CONSTRAINT workspace_resets_pkey PRIMARY KEY (workspace_id),
    CONSTRAINT workspace_resets_workspace_id_fkey FOREIGN KEY (workspace_id)
        REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT workspace_resets_generations CHECK (requested >= 0 AND done >= 0 AND done <= requested)
);
