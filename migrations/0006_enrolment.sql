-- sealbox schema 6: enrolment links and where an officer's key came from.
--
-- An admin never sets or learns another officer's password: adding or resetting an officer
-- issues a one-time link, and its holder makes their own password and key. Until then the
-- officer is awaiting enrolment (no password, no key: public_key = '').

ALTER TABLE officers ADD COLUMN awaiting_enrolment INTEGER NOT NULL DEFAULT 0;
-- Who made the account (and so chose the address its links are mailed to), with the sponsors
-- of their key, comma-separated; '' for the operator. Every key of the account counts as theirs.
ALTER TABLE officers ADD COLUMN account_sponsors TEXT NOT NULL DEFAULT '';

CREATE TABLE enrolments (
    token_hash  BLOB PRIMARY KEY,           -- SHA-256 of the link's token; the token is not kept
    officer_id  TEXT NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('new', 'reset')),
    issued_by   TEXT NOT NULL,              -- the admin who made the link
    sponsors    TEXT NOT NULL,              -- issued_by and the sponsors of their key, comma-separated
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX enrolments_officer ON enrolments (officer_id);

-- Who stands behind an officer's current key: the admin whose link it was enrolled with, and
-- (transitively) whoever stands behind that admin's key, plus the account's sponsors. A case
-- that excludes one of them is never granted to this key. No rows: the operator's alone.
CREATE TABLE key_sponsors (
    officer_id  TEXT NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    sponsor_id  TEXT NOT NULL,
    PRIMARY KEY (officer_id, sponsor_id)
) STRICT;

-- Disabling suspends: an officer's identity grants now outlive a disable (enabling restores
-- them); a new key or a lost custodian role still removes them, as before.
DROP TRIGGER identity_grants_officer_changed;
CREATE TRIGGER identity_grants_officer_changed
AFTER UPDATE OF disabled, public_key, is_custodian ON officers
WHEN NEW.disabled = 1 OR NEW.public_key <> OLD.public_key OR NEW.is_custodian < OLD.is_custodian
BEGIN
    DELETE FROM identity_grants WHERE officer_id = NEW.id
        AND (NEW.public_key <> OLD.public_key
             OR (via = 'custodian' AND NEW.is_custodian < OLD.is_custodian));
    DELETE FROM disclosures WHERE requester_id = NEW.id AND state = 'pending'
        AND (NEW.disabled = 1 OR NEW.public_key <> OLD.public_key);
END;
