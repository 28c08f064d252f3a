-- Per-user quota overrides of device limits (issue #19): 'name=count' entries separated by ',',
-- sorted by name (e.g. 'example.com/fpga=0,nvidia.com/gpu=2'); '' when the override sets no device
-- limit (each device's limit then comes from the role). A count may be 0: none of that device.
ALTER TABLE user_quotas ADD COLUMN devices TEXT NOT NULL DEFAULT '';
