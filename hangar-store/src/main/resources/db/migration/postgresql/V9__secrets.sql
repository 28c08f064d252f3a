-- User secrets (issue #15, item 7): encrypted at rest with the server's key (AES-256-GCM), never in
-- clear. key_id names the key that sealed the value (a later rotation re-seals row by row); nonce
-- is the value's random 96-bit GCM nonce; ciphertext ends with the 16-byte tag; the associated data
-- binds it to (user_name, name). size is the clear value's length. Removed with the user.
-- The SQLite twin is db/migration/sqlite/V9__secrets.sql.
CREATE TABLE user_secrets (
    user_name  TEXT COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    name       TEXT COLLATE "C" NOT NULL,
    key_id     TEXT    NOT NULL,
    nonce      BYTEA   NOT NULL,
    ciphertext BYTEA   NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    updated_ms BIGINT  NOT NULL,
    PRIMARY KEY (user_name, name)
);
