-- sealbox schema 14: channels as published, every version kept.
--
-- A channel's definition (its `[[channels]]` entry as JSON) is stored each time it changes,
-- from `sealbox.toml` or from the browser; a case keeps the version it was submitted under,
-- so its answers stay labelled as they were asked. Whether the file or the browser is the
-- source is the setting `channels_source` (absent: the file).
CREATE TABLE channel_versions (
    channel_id   TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    definition   TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('file', 'browser')),
    published_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, version)
) STRICT;

ALTER TABLE cases ADD COLUMN channel_version INTEGER;
