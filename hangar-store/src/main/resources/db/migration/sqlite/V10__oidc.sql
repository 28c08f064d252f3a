-- OIDC sign-in (issue #15, item 3): which OpenID Connect identity (issuer + subject) signs in as
-- which Hangar user. Users are found through this link only, never by name, so a provider account
-- whose username claim names an existing user cannot take it over. Removed with the user.
-- The PostgreSQL twin is db/migration/postgresql/V10__oidc.sql.
CREATE TABLE oidc_identities (
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    user_name    TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    linked_at_ms INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT;
CREATE INDEX oidc_identities_user ON oidc_identities (user_name);
