-- sealbox schema 9: oral reports, records the reporter approves, requests to talk.
--
-- How a case came in: on the web, or taken down by an officer from a call, a meeting or a
-- letter. Workflow metadata like the channel (statistics count by it); the content is sealed.
ALTER TABLE cases ADD COLUMN source TEXT NOT NULL DEFAULT 'web'
    CHECK (source IN ('web', 'phone', 'meeting', 'letter'));

-- A record (minutes or a transcript) of a case, in versions the reporter checks. Its state and
-- the digest of the approved text are in clear: they are what the approval is; the texts are
-- age files to the case key, which the reporter holds.
CREATE TABLE records (
    id              TEXT PRIMARY KEY,       -- random
    case_id         TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('minutes', 'transcript')),
    state           TEXT NOT NULL CHECK (state IN
                      ('awaiting_approval', 'changes_requested', 'approved')),
    approved_version INTEGER,
    approved_sha256 TEXT,                   -- SHA-256 hex of the approved text (UTF-8)
    created_at      INTEGER NOT NULL,
    CHECK ((state = 'approved') = (approved_sha256 IS NOT NULL))
) STRICT;

CREATE INDEX records_case ON records (case_id, created_at);
CREATE INDEX records_awaiting ON records (case_id) WHERE state = 'awaiting_approval';

-- Once approved, a record's texts never change again, in SQLite too.
CREATE TRIGGER records_frozen BEFORE UPDATE ON records
WHEN OLD.state = 'approved'
BEGIN SELECT RAISE(ABORT, 'an approved record is final'); END;

CREATE TABLE record_versions (
    record_id   TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    officer_id  TEXT REFERENCES officers(id) ON DELETE SET NULL,
    sealed      BLOB NOT NULL,              -- age file to the case key: padded JSON {"body","at"}
    created_at  INTEGER NOT NULL,           -- the day; the exact time is sealed
    PRIMARY KEY (record_id, version)
) STRICT;

-- The reporter's requests for corrections, each about one version.
CREATE TABLE record_comments (
    id          INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    sealed      BLOB NOT NULL,              -- age file to the case key
    created_at  INTEGER NOT NULL            -- the day
) STRICT;

CREATE INDEX record_comments_record ON record_comments (record_id, id);

-- A reporter's request for a call or a meeting. When they can is sealed; the request is
-- answered by the next message an officer writes them, and is due by `due_at`.
CREATE TABLE meeting_requests (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'meeting')),
    sealed      BLOB NOT NULL,              -- age file to the case key: the availability
    due_at      INTEGER NOT NULL,
    answered_at INTEGER,
    reminded    TEXT CHECK (reminded IN ('soon', 'overdue')),
    created_at  INTEGER NOT NULL            -- the day
) STRICT;

CREATE INDEX meeting_requests_open ON meeting_requests (due_at) WHERE answered_at IS NULL;
CREATE INDEX meeting_requests_case ON meeting_requests (case_id, id);

-- A version, once written, stays as it was; none is added to an approved record.
CREATE TRIGGER record_versions_fixed BEFORE UPDATE ON record_versions
BEGIN SELECT RAISE(ABORT, 'a version of a record is never rewritten'); END;
CREATE TRIGGER record_versions_after_approval BEFORE INSERT ON record_versions
WHEN (SELECT state FROM records WHERE id = NEW.record_id) = 'approved'
BEGIN SELECT RAISE(ABORT, 'an approved record is final'); END;
