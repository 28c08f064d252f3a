-- Teams, first phase: a role and a disabled flag per user, named API tokens with an optional
-- expiry and a last-used time. The PostgreSQL twin is db/migration/postgresql/V3__roles_and_named_tokens.sql.

-- role replaces the admin flag: member | admin | auditor.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin', 'auditor'));
UPDATE users SET role = 'admin' WHERE admin = 1;
ALTER TABLE users DROP COLUMN admin;
-- A disabled user's tokens and gateway logins are refused; their data stays.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));

-- A token's description becomes its name, unique per owner. The first-start admin token is
-- called 'initial'; other existing tokens get a unique name from their id.
ALTER TABLE api_tokens RENAME COLUMN description TO name;
UPDATE api_tokens SET name = CASE WHEN name LIKE 'bootstrap%' THEN 'initial' ELSE 'token-' || id END;
CREATE UNIQUE INDEX api_tokens_owner_name_key ON api_tokens (owner, name);
-- NULL: never expires / never used.
ALTER TABLE api_tokens ADD COLUMN expires_at_ms INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at_ms INTEGER;
