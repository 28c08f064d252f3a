-- Hangar control-plane schema, PostgreSQL dialect.
-- The SQLite twin is db/migration/sqlite/V1__initial_schema.sql; keep both in step.
--
-- Instants are stored as epoch milliseconds (UTC) in *_ms BIGINT columns, exactly as on SQLite, so
-- both databases round-trip the same values. JdbiStore truncates every Instant to whole
-- milliseconds before writing.
-- Names use the "C" collation so that ORDER BY gives the same byte order as SQLite's BINARY
-- collation whatever the server's locale is.
-- Constraint names are spelled out: JdbiStore maps unique/foreign-key violations to domain
-- exceptions by the columns these names mention.

CREATE TABLE users (
    name          TEXT COLLATE "C" NOT NULL,
    admin         BOOLEAN          NOT NULL,
    created_at_ms BIGINT           NOT NULL,
    CONSTRAINT users_name_pkey PRIMARY KEY (name)
);

-- A key identifies exactly one user at the gateway, so its fingerprint is unique across all users.
CREATE TABLE ssh_keys (
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    fingerprint TEXT    NOT NULL,
    owner       TEXT COLLATE "C" NOT NULL,
    algorithm   TEXT    NOT NULL,
    key_base64  TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    bits        INTEGER NOT NULL,
    added_at_ms BIGINT  NOT NULL,
    CONSTRAINT ssh_keys_id_pkey PRIMARY KEY (id),
    CONSTRAINT ssh_keys_fingerprint_key UNIQUE (fingerprint),
    CONSTRAINT ssh_keys_owner_fkey FOREIGN KEY (owner) REFERENCES users (name)
);
CREATE INDEX ssh_keys_owner_added ON ssh_keys (owner, added_at_ms, id);

-- Only the SHA-256 of a token's secret is stored; the secret itself never reaches the database.
CREATE TABLE api_tokens (
    id            TEXT   NOT NULL,
    owner         TEXT COLLATE "C" NOT NULL,
    secret_hash   TEXT   NOT NULL,
    description   TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    CONSTRAINT api_tokens_id_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_owner_fkey FOREIGN KEY (owner) REFERENCES users (name)
);

CREATE TABLE workspaces (
    id                 TEXT    NOT NULL,
    name               TEXT COLLATE "C" NOT NULL,
    owner              TEXT COLLATE "C" NOT NULL,
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
    restart_pending    BOOLEAN NOT NULL,
    failures           INTEGER NOT NULL,
    created_at_ms      BIGINT  NOT NULL,
    updated_at_ms      BIGINT  NOT NULL,
    -- optimistic concurrency: every update must name the version it read and bumps it by one
    version            BIGINT  NOT NULL,
    CONSTRAINT workspaces_id_pkey PRIMARY KEY (id),
    CONSTRAINT workspaces_owner_name_key UNIQUE (owner, name)
);
CREATE INDEX workspaces_phase ON workspaces (phase);

CREATE TABLE workspace_events (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    workspace_id TEXT   NOT NULL,
    at_ms        BIGINT NOT NULL,
    actor        TEXT   NOT NULL,
    type         TEXT   NOT NULL,
    message      TEXT   NOT NULL,
    CONSTRAINT workspace_events_seq_pkey PRIMARY KEY (seq),
    CONSTRAINT workspace_events_workspace_id_fkey FOREIGN KEY (workspace_id)
        REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE INDEX workspace_events_workspace_seq ON workspace_events (workspace_id, seq);
