-- Fencing between control-plane replicas (issue #17, item 3; docs/adr/0013): per workspace, which
-- replica (holder) runs a reconcile pass now, in which leadership term (epoch, the Lease's
-- transition count; 0 without leader election) and until when (expires_ms, epoch millis). A row
-- lives only while a pass runs; a crashed holder's row lapses at expires_ms. No foreign key: a
-- pass that deletes its workspace releases its claim afterwards.
-- The SQLite twin is db/migration/sqlite/V15__reconcile_claims.sql.
CREATE TABLE reconcile_claims (
    workspace_id TEXT   NOT NULL,
    holder       TEXT   NOT NULL,
    epoch        BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    CONSTRAINT reconcile_claims_pkey PRIMARY KEY (workspace_id),
    CONSTRAINT reconcile_claims_epoch CHECK (epoch >= 0)
);
