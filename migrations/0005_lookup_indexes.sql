-- The follow-up page counts a case's identity holders on every view; the existing indexes on
-- identity_grants are partial (by holder) or by officer, so that count scanned the table.
CREATE INDEX identity_grants_case ON identity_grants (case_id);
