-- Repeated identical consecutive events of a workspace are folded into one row with a count
-- (EventStore.append). The PostgreSQL twin is db/migration/postgresql/V2__event_repeat_count.sql.
ALTER TABLE workspace_events ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 1 CHECK (repeat_count >= 1);
