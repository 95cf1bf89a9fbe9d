-- sealbox schema 1: officers, cases, key grants, the thread, notes, the audit log.
-- Columns in clear are workflow metadata only; everything written by a person is an age file.

CREATE TABLE officers (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    all_channels    INTEGER NOT NULL DEFAULT 1,
    password_hash   TEXT NOT NULL,            -- argon2id PHC string
    public_key      TEXT NOT NULL,            -- age1… recipient
    sealed_key      BLOB NOT NULL,            -- age file: the identity, scrypt-sealed to the password
    totp_sealed     BLOB,                     -- age file to public_key: the TOTP secret
    totp_last_step  INTEGER NOT NULL DEFAULT 0, -- a TOTP code is never accepted twice
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE officer_channels (
    officer_id      TEXT NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL,
    PRIMARY KEY (officer_id, channel_id)
) STRICT;

CREATE TABLE cases (
    id                  TEXT PRIMARY KEY,
    number              INTEGER NOT NULL UNIQUE,
    channel_id          TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('whistleblowing', 'complaint')),
    status              TEXT NOT NULL CHECK (status IN
                          ('received', 'acknowledged', 'in_progress', 'awaiting_submitter', 'closed')),
    outcome             TEXT,
    received_at         INTEGER NOT NULL,
    acknowledge_due_at  INTEGER,
    resolve_due_at      INTEGER,
    acknowledged_at     INTEGER,
    closed_at           INTEGER,
    -- The next deadline: acknowledgement, then feedback/resolution; closed = i64::MAX.
    next_due_at         INTEGER NOT NULL,
    assigned_officer_id TEXT REFERENCES officers(id) ON DELETE SET NULL,
    updated_at          INTEGER NOT NULL,
    case_public_key     TEXT NOT NULL,      -- content the submitter may see is sealed to this
    staff_public_key    TEXT NOT NULL,      -- internal notes are sealed to this
    claim_tag           BLOB NOT NULL UNIQUE, -- HMAC of the claim code under the server lookup key
    submitter_salt      BLOB NOT NULL,      -- argon2id salt for the submitter key
    sealed_submission   BLOB NOT NULL,      -- age file: fields, exclusions, contact (padded JSON)
    sealed_summary      BLOB,               -- age file to the case key: the closing summary
    satisfaction        INTEGER CHECK (satisfaction BETWEEN 1 AND 5), -- the customer's rating
    sealed_feedback     BLOB                -- age file to the case key: the rating's comment
) STRICT;

-- The inbox walks one of these in due order, whichever matches its filters.
CREATE INDEX cases_due ON cases (next_due_at, number);
CREATE INDEX cases_status_due ON cases (status, next_due_at, number);
CREATE INDEX cases_channel_due ON cases (channel_id, next_due_at, number);
CREATE INDEX cases_channel_status_due ON cases (channel_id, status, next_due_at, number);
CREATE INDEX cases_closed ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- A grant is a case's secret key sealed to one holder. Holding a grant is what access means.
CREATE TABLE grants (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    key         TEXT NOT NULL CHECK (key IN ('case', 'staff')),
    holder      TEXT NOT NULL CHECK (holder IN ('officer', 'submitter', 'recovery')),
    officer_id  TEXT REFERENCES officers(id) ON DELETE CASCADE,
    sealed      BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    CHECK ((holder = 'officer') = (officer_id IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX grants_officer ON grants (case_id, key, officer_id) WHERE holder = 'officer';
CREATE UNIQUE INDEX grants_other ON grants (case_id, key, holder) WHERE holder <> 'officer';
CREATE INDEX grants_by_officer ON grants (officer_id, case_id);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author      TEXT NOT NULL CHECK (author IN ('submitter', 'officer')),
    officer_id  TEXT REFERENCES officers(id) ON DELETE SET NULL,
    sealed      BLOB NOT NULL,              -- age file to the case key: padded JSON {"body"}
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_case ON messages (case_id, id);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    officer_id  TEXT REFERENCES officers(id) ON DELETE SET NULL,
    sealed      BLOB NOT NULL,              -- age file to the staff key: padded JSON {"body"}
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX notes_case ON notes (case_id, id);

-- When an officer last looked at a case: the inbox marks newer activity unread.
CREATE TABLE case_reads (
    officer_id  TEXT NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (officer_id, case_id)
) STRICT;

CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
) STRICT;

-- Append-only, hash-chained: hash = HMAC(audit key, previous hash ‖ this row). No content, no
-- address. Ids and officer ids are kept as text so entries outlive what they name.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,              -- 'officer', 'submitter', 'system', 'operator'
    officer_id  TEXT,
    action      TEXT NOT NULL,
    case_id     TEXT,
    detail      TEXT NOT NULL,
    hash        BLOB NOT NULL
) STRICT;

CREATE INDEX audit_case ON audit_log (case_id, id) WHERE case_id IS NOT NULL;

-- Append-only inside SQLite too: changing or removing an entry takes dropping these first,
-- and `sealbox audit verify` still finds what was done.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Mail waiting to be sent. Each message (addresses included) is an age file sealed to the
-- server's outbox key, deleted once sent. The Message-ID stays the same across retries, so a
-- send repeated after a crash can be recognised as the same mail by the receiver.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    case_id     TEXT REFERENCES cases(id) ON DELETE CASCADE,
    officer_id  TEXT REFERENCES officers(id) ON DELETE CASCADE, -- officer mail goes with them
    sealed      BLOB NOT NULL,
    not_before  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,                       -- a category, never a server's text (it may hold an address)
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_due ON outbox (not_before);

-- When an officer was last alerted about a case: alerts are coalesced per window.
CREATE TABLE alert_marks (
    officer_id  TEXT NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    alerted_at  INTEGER NOT NULL,
    PRIMARY KEY (officer_id, case_id)
) STRICT;

-- Deadline reminders already queued: one per case, deadline and stage.
CREATE TABLE reminders (
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    due_at      INTEGER NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('soon', 'overdue')),
    PRIMARY KEY (case_id, due_at, stage)
) STRICT;

-- The day (days since the epoch, UTC) each officer last got the daily digest.
CREATE TABLE digests (
    officer_id  TEXT PRIMARY KEY REFERENCES officers(id) ON DELETE CASCADE,
    day         INTEGER NOT NULL
) STRICT;
