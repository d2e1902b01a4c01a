-- Layout 3: blobs, bytes a record references by SHA-256 instead of carrying
-- them inline (an agreement version's geography; see truce/blobs.py).
--
-- A blob is stored in the same transaction as the first record that brings
-- it; `seq` is that record's seq, so the blobs an integrated prefix of the log
-- needs are exactly those with seq < size. Content-addressed and append-only.

CREATE TABLE blobs (
    sha256 TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    size   INTEGER NOT NULL CHECK (size >= 0),
    data   BLOB    NOT NULL CHECK (length(data) = size),
    seq    INTEGER NOT NULL REFERENCES records (seq)
) WITHOUT ROWID;

CREATE INDEX blobs_by_seq ON blobs (seq);

CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN
    SELECT RAISE(ABORT, 'blobs are append-only');
END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN
    SELECT RAISE(ABORT, 'blobs are append-only');
END;
