-- Audit log (issue #15, item 6): who did what, when, from where, and how it ended. Never holds a
-- token, key, password or request body. The PostgreSQL twin is db/migration/postgresql/V4__audit_log.sql.
-- No foreign keys: entries outlive the users and workspaces they name. Pruned by age (audit.retention).
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms   INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    source  TEXT    NOT NULL,
    outcome TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at_ms);
CREATE INDEX audit_log_actor_seq ON audit_log (actor, seq);
CREATE INDEX audit_log_action_seq ON audit_log (action, seq);
