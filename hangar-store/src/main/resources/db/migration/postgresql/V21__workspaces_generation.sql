-- A database-side write generation of the workspaces table (issue #18, item 4): the list API
-- caches a page's bytes under the generation it read first, so an answer is served again only
-- while no insert, update or delete of a workspace row has committed since, by any server
-- replica or by hand. The generation is SUM(value) over 16 slots.
--
-- Why so: the bump is a deferred constraint trigger, so it runs at commit, in the writer's own
-- transaction (a rolled-back write bumps nothing), after every other lock of that transaction
-- is held: waiting for a slot can never close a cycle of lock waits (no new deadlocks). A
-- transaction bumps the slot of its backend process only, so writers on different connections
-- rarely wait for each other (one counter row would serialise every writer's commit, fsync
-- included). Every committed write raises one slot, so the sum rises with every commit.
-- Written to run again over its own objects (SealedHostKeyContract replays V20 and V21).
-- The SQLite twin is db/migration/sqlite/V21__workspaces_generation.sql.
CREATE TABLE IF NOT EXISTS workspaces_generation (
    slot  SMALLINT NOT NULL PRIMARY KEY CHECK (slot BETWEEN 0 AND 15),
    value BIGINT   NOT NULL
);

INSERT INTO workspaces_generation (slot, value) SELECT s, 0 FROM generate_series(0, 15) AS s
    ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION workspaces_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces_generation SET value = value + 1 WHERE slot = pg_backend_pid() % 16;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS workspaces_generation_bump ON workspaces;
CREATE CONSTRAINT TRIGGER workspaces_generation_bump
    AFTER INSERT OR UPDATE OR DELETE ON workspaces
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION workspaces_generation_bump();
