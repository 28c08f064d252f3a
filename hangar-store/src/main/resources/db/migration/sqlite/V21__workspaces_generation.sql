-- A database-side write generation of the workspaces table (issue #18, item 4): the list API
-- caches a page's bytes under the generation it read first, so an answer is served again only
-- while no insert, update or delete of a workspace row has committed since, by any server
-- replica or by hand. The trigger runs in the writer's own transaction: a rolled-back write
-- leaves the generation as it was. SQLite serialises writers anyway, so one row is enough.
-- Written to run again over its own objects (SealedHostKeyContract replays V20 and V21).
-- The PostgreSQL twin is db/migration/postgresql/V21__workspaces_generation.sql.
CREATE TABLE IF NOT EXISTS workspaces_generation (
    slot  INTEGER NOT NULL PRIMARY KEY CHECK (slot = 0),
    value INTEGER NOT NULL
) STRICT;

INSERT INTO workspaces_generation (slot, value) VALUES (0, 0) ON CONFLICT DO NOTHING;

CREATE TRIGGER IF NOT EXISTS workspaces_generation_insert AFTER INSERT ON workspaces
BEGIN
    UPDATE workspaces_generation SET value = value + 1;
END;

CREATE TRIGGER IF NOT EXISTS workspaces_generation_update AFTER UPDATE ON workspaces
BEGIN
    UPDATE workspaces_generation SET value = value + 1;
END;

CREATE TRIGGER IF NOT EXISTS workspaces_generation_delete AFTER DELETE ON workspaces
BEGIN
    UPDATE workspaces_generation SET value = value + 1;
END;
