-- Audit log (issue #15, item 6): who did what, when, from where, and how it ended. Never holds a
-- token, key, password or request body. The SQLite twin is db/migration/sqlite/V4__audit_log.sql.
-- No foreign keys: entries outlive the users and workspaces they name. Pruned by age (audit.retention).
CREATE TABLE audit_log (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms   BIGINT NOT NULL,
    actor   TEXT   COLLATE "C" NOT NULL,
    action  TEXT   COLLATE "C" NOT NULL,
    target  TEXT   NOT NULL,
    source  TEXT   NOT NULL,
    outcome TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_ms);
CREATE INDEX audit_log_actor_seq ON audit_log (actor, seq);
CREATE INDEX audit_log_action_seq ON audit_log (action, seq);
