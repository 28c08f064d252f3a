-- Repeated identical consecutive events of a workspace are folded into one row with a count
-- (EventStore.append). The SQLite twin is db/migration/sqlite/V2__event_repeat_count.sql.
ALTER TABLE workspace_events ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 1
    CONSTRAINT workspace_events_repeat_count_check CHECK (repeat_count >= 1);
