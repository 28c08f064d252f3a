-- Idle auto-stop as a user setting (issue #15, item 5): the user's own default for their
-- workspaces, between the template's setting and a workspace's own (create --autostop).
-- No row: the template's setting applies. Removed with the user.
-- The PostgreSQL twin is db/migration/postgresql/V16__user_autostop.sql.
CREATE TABLE user_autostop (
    user_name        TEXT    NOT NULL PRIMARY KEY REFERENCES users (name) ON DELETE CASCADE,
    -- 0: off; else the idle time in seconds
    autostop_seconds INTEGER NOT NULL CHECK (autostop_seconds >= 0)
) STRICT;
