-- Layout 1 of the SQLite store: the log, the key table, meta settings.
--
-- One row of `records` is one record AND its log entry, so "the record and its
-- log entry commit in the same transaction" holds by construction. `seq` is the
-- log index (0-based, gap-free); it is the rowid, assigned explicitly by the
-- driver as size() + i inside the write transaction.
-- Later layouts (e.g. Merkle tiles/hashes) come as new numbered files.

CREATE TABLE records (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 0),
    record_id   TEXT    NOT NULL UNIQUE CHECK (length(record_id) = 64),
    kind        TEXT    NOT NULL,
    keyid       TEXT    NOT NULL CHECK (length(keyid) = 32),
    signed_at   TEXT    NOT NULL,
    event_time  TEXT,
    subject     TEXT,
    synthetic   INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
    accepted_at TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    entry       BLOB    NOT NULL
);

-- Filters of scan(). Every SQLite index entry ends with the rowid (= seq), so
-- an equality filter comes out in log order. Columns that are often NULL get
-- partial indexes: `subject = ?` and `event_time >= ?` imply NOT NULL, and
-- skipping the NULL rows makes appends cheaper.
CREATE INDEX records_kind_seq ON records (kind, seq);
CREATE INDEX records_subject ON records (subject) WHERE subject IS NOT NULL;
CREATE INDEX records_keyid ON records (keyid);
CREATE INDEX records_event_time ON records (event_time) WHERE event_time IS NOT NULL;
CREATE INDEX records_synthetic ON records (seq) WHERE synthetic = 1;

-- The log is append-only: nothing is edited or deleted in place, ever.
CREATE TRIGGER records_no_update BEFORE UPDATE ON records
BEGIN
    SELECT RAISE(ABORT, 'the log is append-only: records cannot be updated');
END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records
BEGIN
    SELECT RAISE(ABORT, 'the log is append-only: records cannot be deleted');
END;

-- Current state of every enrolled key; changed only together with key records.
CREATE TABLE keys (
    keyid        TEXT    PRIMARY KEY CHECK (length(keyid) = 32),
    public_key   BLOB    NOT NULL CHECK (length(public_key) = 32),
    role         TEXT    NOT NULL,
    principal    TEXT    NOT NULL,
    party        TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
    enrolled_seq INTEGER NOT NULL REFERENCES records (seq),
    changed_seq  INTEGER NOT NULL REFERENCES records (seq),
    CHECK (changed_seq >= enrolled_seq)
);
CREATE INDEX keys_enrolled ON keys (enrolled_seq, keyid);

-- Mission settings (e.g. mission_id).
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
