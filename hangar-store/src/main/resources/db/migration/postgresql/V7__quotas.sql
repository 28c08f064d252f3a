-- Quotas (issue #15, item 4): a per-user override of the role's limits from the server config.
-- NULL in a column: not overridden (the role's limit applies). Removed with the user.
-- The SQLite twin is db/migration/sqlite/V7__quotas.sql.
CREATE TABLE user_quotas (
    user_name  TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES users (name) ON DELETE CASCADE,
    -- workspaces meant to run at once
    running    INTEGER CHECK (running >= 0),
    -- vCPUs and memory (MiB) summed over the workspaces meant to run
    cpus       INTEGER CHECK (cpus >= 0),
    memory_mib BIGINT  CHECK (memory_mib >= 0),
    -- disk (GiB) summed over every workspace not being deleted
    disk_gib   BIGINT  CHECK (disk_gib >= 0)
);
