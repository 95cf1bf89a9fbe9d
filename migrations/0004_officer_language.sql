-- sealbox schema 4: the language an officer chose for their pages and mails (a BCP 47 tag
-- sealbox speaks: en, pt-BR, de). NULL: pages follow the browser, mails are in English.

ALTER TABLE officers ADD COLUMN language TEXT;
