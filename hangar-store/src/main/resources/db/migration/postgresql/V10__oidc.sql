-- OIDC sign-in (issue #15, item 3): which OpenID Connect identity (issuer + subject) signs in as
-- which Hangar user. Users are found through this link only, never by name, so a provider account
-- whose username claim names an existing user cannot take it over. Removed with the user.
-- The SQLite twin is db/migration/sqlite/V10__oidc.sql.
CREATE TABLE oidc_identities (
    issuer       TEXT COLLATE "C" NOT NULL,
    subject      TEXT COLLATE "C" NOT NULL,
    user_name    TEXT COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    linked_at_ms BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_name);
