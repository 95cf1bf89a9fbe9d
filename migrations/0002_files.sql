-- sealbox schema 2: attachments. Each file is a standard age file under DATA/files, named by a
-- random id; its name, type and size are sealed here, to the same key as its content.

CREATE TABLE files (
    id          TEXT PRIMARY KEY,           -- random; also the file's name on disk
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    key         TEXT NOT NULL CHECK (key IN ('case', 'staff')), -- staff: internal to officers
    author      TEXT NOT NULL CHECK (author IN ('submitter', 'officer')),
    officer_id  TEXT REFERENCES officers(id) ON DELETE SET NULL,
    sealed_meta BLOB NOT NULL,              -- age file: padded JSON {"name","type","size","cleaned"}
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX files_case ON files (case_id, created_at);
