-- Layout 5: reveals, the values and salts of a record's sealed fields.
--
-- A record may seal fields (a monitor's pseudonym, a team): the signed record
-- and its log entry carry only salted SHA-256 commitments; the values travel
-- beside the envelope and are kept here, in the same transaction as the
-- record, apart from the log. They are never part of an entry, a tile or a
-- published blob (see truce/records/commitments.py). Append-only.

CREATE TABLE reveals (
    record_id TEXT NOT NULL REFERENCES records (record_id),
    path      TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 64),
    value     TEXT NOT NULL,  -- the value as canonical JSON (RFC 8785)
    salt      TEXT NOT NULL,  -- base64 of the 32-byte salt
    PRIMARY KEY (record_id, path)
) WITHOUT ROWID;

CREATE TRIGGER reveals_no_update BEFORE UPDATE ON reveals
BEGIN
    SELECT RAISE(ABORT, 'reveals are append-only');
END;
CREATE TRIGGER reveals_no_delete BEFORE DELETE ON reveals
BEGIN
    SELECT RAISE(ABORT, 'reveals are append-only');
END;
