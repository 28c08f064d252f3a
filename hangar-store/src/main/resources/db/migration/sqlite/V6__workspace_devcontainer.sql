-- A workspace's devcontainer folder (an absolute path on the server host; '' for none), carried to
-- the docker provider (docs/devcontainer.md). V4 and V5 are other changes' (audit log, activity lease).
ALTER TABLE workspaces ADD COLUMN devcontainer TEXT NOT NULL DEFAULT '';
