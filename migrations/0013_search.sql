-- sealbox schema 13: blind search tags.
--
-- Each distinct word of a case (its fields, messages, notes, records, file names) as a keyed
-- digest under a key derived from the case's staff key: officers who hold the case find it by
-- a word; the database alone says only how many distinct words a case has.
CREATE TABLE search_tags (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    tag     BLOB NOT NULL,
    PRIMARY KEY (case_id, tag)
) STRICT;
