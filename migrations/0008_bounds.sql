-- sealbox schema 8: bounds under attack.
--
-- Wrong authenticator codes per officer: five in a row lock the account's code step for a
-- while (totp_locked_until, seconds since the epoch); a right code resets the count.
ALTER TABLE officers ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE officers ADD COLUMN totp_locked_until INTEGER;

-- An obvious junk case an officer discarded (with a reason, sealed as an internal note): it is
-- closed for the submitter, leaves the inbox, and is purged after the grace period.
ALTER TABLE cases ADD COLUMN discarded_at INTEGER;
CREATE INDEX cases_discarded ON cases (discarded_at) WHERE discarded_at IS NOT NULL;
