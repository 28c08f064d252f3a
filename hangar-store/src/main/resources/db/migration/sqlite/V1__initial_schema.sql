-- Hangar control-plane schema, SQLite dialect (STRICT tables need SQLite 3.37+; sqlite-jdbc bundles newer).
-- The PostgreSQL twin is db/migration/postgresql/V1__initial_schema.sql; keep both in step.
--
-- Instants are stored as epoch milliseconds (UTC) in *_ms INTEGER columns. JdbiStore truncates
-- every Instant to whole milliseconds before writing, so a value read back equals what was stored.
-- Booleans are 0/1 integers (SQLite has no boolean type).

CREATE TABLE users (
    name          TEXT    NOT NULL PRIMARY KEY,
    admin         INTEGER NOT NULL CHECK (admin IN (0, 1)),
    created_at_ms INTEGER NOT NULL
) STRICT;

-- A key identifies exactly one user at the gateway, so its fingerprint is unique across all users.
CREATE TABLE ssh_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT    NOT NULL UNIQUE,
    owner       TEXT    NOT NULL REFERENCES users (name),
    algorithm   TEXT    NOT NULL,
    key_base64  TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    bits        INTEGER NOT NULL,
    added_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX ssh_keys_owner_added ON ssh_keys (owner, added_at_ms, id);

-- Only the SHA-256 of a token's secret is stored; the secret itself never reaches the database.
CREATE TABLE api_tokens (
    id            TEXT    NOT NULL PRIMARY KEY,
    owner         TEXT    NOT NULL REFERENCES users (name),
    secret_hash   TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE workspaces (
    id                 TEXT    NOT NULL PRIMARY KEY,
    name               TEXT    NOT NULL,
    owner              TEXT    NOT NULL,
    template           TEXT    NOT NULL,
    provider_type      TEXT    NOT NULL,
    cpus               INTEGER NOT NULL,
    memory_mib         INTEGER NOT NULL,
    disk_gib           INTEGER NOT NULL,
    image              TEXT    NOT NULL,
    extra_user_data    TEXT    NOT NULL,
    host_key_algorithm TEXT    NOT NULL,
    host_key_public    TEXT    NOT NULL,
    -- the secret half of the host key, in its own column so it is never selected by accident
    host_key_private   TEXT    NOT NULL,
    desired            TEXT    NOT NULL,
    phase              TEXT    NOT NULL,
    reason             TEXT    NOT NULL,
    ssh_host           TEXT    NOT NULL,
    ssh_port           INTEGER NOT NULL,
    restart_pending    INTEGER NOT NULL CHECK (restart_pending IN (0, 1)),
    failures           INTEGER NOT NULL,
    created_at_ms      INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL,
    -- optimistic concurrency: every update must name the version it read and bumps it by one
    version            INTEGER NOT NULL,
    CONSTRAINT workspaces_owner_name_key UNIQUE (owner, name)
) STRICT;
CREATE INDEX workspaces_phase ON workspaces (phase);

CREATE TABLE workspace_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    at_ms        INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    message      TEXT    NOT NULL
) STRICT;
CREATE INDEX workspace_events_workspace_seq ON workspace_events (workspace_id, seq);
