-- Layout 4: compliance assessments — the engine's rulings on each event
-- against each term (truce/compliance). Derived data: re-derivable at any time
-- from the log and the agreement versions, so, unlike the log tables, rows are
-- replaced when the engine re-evaluates (a new agreement version, a rerun).

CREATE TABLE assessments (
    record_id    TEXT    NOT NULL REFERENCES records (record_id),
    seq          INTEGER NOT NULL,
    agreement_id TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    term_id      TEXT    NOT NULL,
    list_id      TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL
                 CHECK (status IN ('no_breach', 'possible_breach', 'breach')),
    event_day    TEXT    NOT NULL,
    region       TEXT    NOT NULL DEFAULT '',
    explanation  TEXT    NOT NULL,
    PRIMARY KEY (record_id, agreement_id, version, term_id, list_id)
) WITHOUT ROWID;

CREATE INDEX assessments_by_term ON assessments (term_id, status, seq);
CREATE INDEX assessments_by_seq ON assessments (seq);
