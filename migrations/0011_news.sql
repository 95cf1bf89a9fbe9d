-- sealbox schema 11: "tell me when there is news".
--
-- An address a reporter left to hear that an officer wrote to them: an age file to the case
-- key, so the server reads it only while an officer who holds the case is writing.
ALTER TABLE cases ADD COLUMN sealed_notify BLOB;
