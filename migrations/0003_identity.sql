-- sealbox schema 3: sealed identity disclosure. A reporter may give their identity; it is sealed
-- to a per-case identity key, granted only to the recovery recipient and to custodians, and to
-- a case handler only after a custodian approved their request.

ALTER TABLE officers ADD COLUMN is_custodian INTEGER NOT NULL DEFAULT 0;

ALTER TABLE cases ADD COLUMN identity_public_key TEXT;  -- NULL: the channel takes no identity
ALTER TABLE cases ADD COLUMN sealed_identity BLOB;      -- age file to the identity key (padded JSON)
ALTER TABLE cases ADD COLUMN identity_given_at INTEGER;

CREATE TABLE identity_grants (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    holder      TEXT NOT NULL CHECK (holder IN ('officer', 'recovery')),
    officer_id  TEXT REFERENCES officers(id) ON DELETE CASCADE,
    via         TEXT NOT NULL CHECK (via IN ('recovery', 'custodian', 'disclosure')),
    sealed      BLOB NOT NULL,                -- age file to the holder: the identity key
    created_at  INTEGER NOT NULL,
    CHECK ((holder = 'officer') = (officer_id IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX identity_grants_officer ON identity_grants (case_id, officer_id)
    WHERE holder = 'officer';
CREATE UNIQUE INDEX identity_grants_recovery ON identity_grants (case_id) WHERE holder = 'recovery';
CREATE INDEX identity_grants_by_officer ON identity_grants (officer_id);

CREATE TABLE disclosures (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    requester_id  TEXT NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    sealed_reason BLOB NOT NULL,             -- age file to the identity key and the staff key
    requested_at  INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied')),
    decided_by    TEXT REFERENCES officers(id) ON DELETE SET NULL,
    decided_at    INTEGER
) STRICT;

CREATE INDEX disclosures_case ON disclosures (case_id, requested_at);
CREATE INDEX disclosures_pending ON disclosures (requested_at) WHERE state = 'pending';
CREATE UNIQUE INDEX disclosures_one_pending ON disclosures (case_id, requester_id)
    WHERE state = 'pending';

-- An identity grant never outlives what it stood on: a disabled or re-keyed officer loses all
-- of theirs; a handler who loses the case loses the identity disclosed to them with it.
CREATE TRIGGER identity_grants_officer_changed
AFTER UPDATE OF disabled, public_key, is_custodian ON officers
WHEN NEW.disabled = 1 OR NEW.public_key <> OLD.public_key OR NEW.is_custodian < OLD.is_custodian
BEGIN
    DELETE FROM identity_grants WHERE officer_id = NEW.id
        AND (NEW.disabled = 1 OR NEW.public_key <> OLD.public_key OR via = 'custodian');
    DELETE FROM disclosures WHERE requester_id = NEW.id AND state = 'pending'
        AND (NEW.disabled = 1 OR NEW.public_key <> OLD.public_key);
END;

CREATE TRIGGER identity_grants_case_grant_gone
AFTER DELETE ON grants
WHEN OLD.holder = 'officer' AND OLD.key = 'case'
BEGIN
    DELETE FROM identity_grants
        WHERE case_id = OLD.case_id AND officer_id = OLD.officer_id AND via = 'disclosure';
    DELETE FROM disclosures
        WHERE case_id = OLD.case_id AND requester_id = OLD.officer_id AND state = 'pending';
END;
