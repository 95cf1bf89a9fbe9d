-- sealbox schema 7: metadata that cannot tell an insider when a submitter acted.
--
-- Times of what a submitter does (a case received, a message, a file, an identity given) are
-- kept in clear to the day (UTC midnight); the exact times live inside the sealed documents.
-- Deadlines count from that day. Officers' own actions (acknowledged_at, closed_at, notes,
-- disclosure decisions, read marks) keep their exact times. Existing rows are cut here.

UPDATE cases SET
    received_at = received_at - received_at % 86400,
    updated_at = updated_at - updated_at % 86400,
    identity_given_at = identity_given_at - identity_given_at % 86400,
    acknowledge_due_at = acknowledge_due_at - acknowledge_due_at % 86400,
    resolve_due_at = resolve_due_at - resolve_due_at % 86400,
    next_due_at = CASE WHEN next_due_at = 9223372036854775807 THEN next_due_at
                       ELSE next_due_at - next_due_at % 86400 END;

UPDATE messages SET created_at = created_at - created_at % 86400;
UPDATE files SET created_at = created_at - created_at % 86400;
UPDATE grants SET created_at = created_at - created_at % 86400;
UPDATE identity_grants SET created_at = created_at - created_at % 86400;
UPDATE outbox SET created_at = created_at - created_at % 86400;
-- Reminders already queued follow their deadline to the day (two on one day become one).
UPDATE OR REPLACE reminders SET due_at = due_at - due_at % 86400;

-- When each officer was last alerted about a case dated every submitter message to the
-- second. Alerts are now coalesced in memory only.
DROP TABLE alert_marks;

-- Case numbers are random from now on; the inbox orders by deadline and then by number, which
-- no longer follows arrival. Existing cases keep their numbers.

-- The audit chain covers a keyed digest of each entry's detail, stored here, so that the
-- detail of a purged case's entries can be removed and the chain still verifies. Entries from
-- before have no digest yet: at the next start sealbox verifies them as they were written and,
-- if they hold, cuts submitters' times to the day and re-chains them over their digests (it
-- needs the audit key, which SQL does not have). Until then, and for a log that did not
-- verify, they are checked as before.
ALTER TABLE audit_log ADD COLUMN detail_digest BLOB;

INSERT INTO settings (key, value)
    SELECT 'audit_rechain', 'pending' WHERE EXISTS (SELECT 1 FROM audit_log);

-- Still append-only, with two openings: an entry whose detail has a digest may lose that
-- detail (nothing else of it changes), and the one-time re-chain may rewrite while its
-- setting is present.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    (NEW.detail = '' AND OLD.detail_digest IS NOT NULL
        AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor = OLD.actor
        AND NEW.officer_id IS OLD.officer_id AND NEW.action = OLD.action
        AND NEW.case_id IS OLD.case_id AND NEW.detail_digest = OLD.detail_digest
        AND NEW.hash = OLD.hash)
    OR EXISTS (SELECT 1 FROM settings WHERE key = 'audit_rechain'))
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
