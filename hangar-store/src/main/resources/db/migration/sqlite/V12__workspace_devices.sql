-- The devices a workspace asks for (issue #19): 'name=count' entries separated by ',' in the
-- template's order (e.g. 'nvidia.com/gpu=1,example.com/fpga=2'); '' for none. V11 is another
-- change's.
ALTER TABLE workspaces ADD COLUMN devices TEXT NOT NULL DEFAULT '';
