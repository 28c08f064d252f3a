-- Labs (issue #13): a named set of workspaces created together from one spec.
-- The PostgreSQL twin is db/migration/postgresql/V8__labs.sql; keep both in step.
-- A lab goes with its owner; its member slots go with the lab. A slot refers to its workspace by
-- id without a foreign key: the workspace lifecycle (the reconciler) removes workspace rows, and a
-- slot whose workspace is gone shows the lab Degraded instead of vanishing.
CREATE TABLE labs (
    id            TEXT    NOT NULL PRIMARY KEY,
    owner         TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    -- the LabSpec as JSON
    spec          TEXT    NOT NULL,
    -- the lab's /24 out of labs.subnet, e.g. 10.213.0.0/24
    subnet        TEXT    NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (owner, name)
) STRICT;

CREATE TABLE lab_members (
    lab_id         TEXT    NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    -- position in the spec (group by group, index by index)
    ordinal        INTEGER NOT NULL,
    group_name     TEXT    NOT NULL,
    idx            INTEGER NOT NULL CHECK (idx >= 1),
    workspace_name TEXT    NOT NULL,
    -- empty until the workspace is created (and when its creation failed)
    workspace_id   TEXT    NOT NULL DEFAULT '',
    address        TEXT    NOT NULL,
    -- why creating the workspace failed; empty when it did not
    error          TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (lab_id, group_name, idx),
    UNIQUE (lab_id, address)
) STRICT;
CREATE INDEX lab_members_workspace ON lab_members (workspace_id);
