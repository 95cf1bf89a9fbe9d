-- sealbox schema 12: retaliation check-ins.
--
-- After closing, a reporter is asked whether they suffered retaliation. The answer and its
-- comment are an age file to the case key; whether retaliation was reported is in clear, as
-- it reopens the case, flags it for its handlers and is counted in statistics anyway.
CREATE TABLE checkins (
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    closed_at   INTEGER NOT NULL,           -- the closing it follows: a case closed again asks again
    after_days  INTEGER NOT NULL,           -- which check-in
    retaliation INTEGER NOT NULL CHECK (retaliation IN (0, 1)),
    sealed      BLOB NOT NULL,
    created_at  INTEGER NOT NULL,           -- the day
    PRIMARY KEY (case_id, closed_at, after_days)
) STRICT;

ALTER TABLE cases ADD COLUMN retaliation_reported INTEGER NOT NULL DEFAULT 0;
