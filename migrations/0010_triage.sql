-- sealbox schema 10: triage and linked cases.
--
-- A case's category (one of its channel's) and priority are workflow metadata an officer
-- sets, in clear like its status: the inbox filters by them and statistics count them.
ALTER TABLE cases ADD COLUMN category TEXT;
ALTER TABLE cases ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
    CHECK (priority IN ('low', 'normal', 'high', 'critical'));

-- Two cases an officer related (duplicates, the same subject). Shown only to someone who can
-- open both.
CREATE TABLE case_links (
    a           TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    b           TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    officer_id  TEXT REFERENCES officers(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) STRICT;

CREATE INDEX case_links_b ON case_links (b);
