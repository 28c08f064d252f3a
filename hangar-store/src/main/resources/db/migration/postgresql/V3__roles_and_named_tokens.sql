-- Teams, first phase: a role and a disabled flag per user, named API tokens with an optional
-- expiry and a last-used time. The SQLite twin is db/migration/sqlite/V3__roles_and_named_tokens.sql.

-- role replaces the admin flag: member | admin | auditor.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CONSTRAINT users_role_check CHECK (role IN ('member', 'admin', 'auditor'));
UPDATE users SET role = 'admin' WHERE admin;
ALTER TABLE users DROP COLUMN admin;
-- A disabled user's tokens and gateway logins are refused; their data stays.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;

-- A token's description becomes its name, unique per owner. The first-start admin token is
-- called 'initial'; other existing tokens get a unique name from their id.
ALTER TABLE api_tokens RENAME COLUMN description TO name;
ALTER TABLE api_tokens ALTER COLUMN name TYPE TEXT COLLATE "C";
UPDATE api_tokens SET name = CASE WHEN name LIKE 'bootstrap%' THEN 'initial' ELSE 'token-' || id END;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_owner_name_key UNIQUE (owner, name);
-- NULL: never expires / never used.
ALTER TABLE api_tokens ADD COLUMN expires_at_ms BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at_ms BIGINT;
