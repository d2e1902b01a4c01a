-- Layout 2: the Merkle tree over the log and the checkpoints signed over it.
--
-- `tree_nodes` holds the hash of every *full* subtree: (level, idx) covers
-- leaves [idx * 2^level, (idx + 1) * 2^level). Partial right edges are computed
-- from full ones, so nothing here is ever rewritten as the log grows (the
-- C2SP tlog-tiles storage model). `checkpoints` holds each signed checkpoint
-- note; sizes only grow. Both are append-only.

CREATE TABLE tree_nodes (
    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    size      INTEGER PRIMARY KEY CHECK (size >= 0),
    root      BLOB    NOT NULL CHECK (length(root) = 32),
    note      BLOB    NOT NULL,
    signed_at TEXT    NOT NULL
);

CREATE TRIGGER tree_nodes_no_update BEFORE UPDATE ON tree_nodes
BEGIN
    SELECT RAISE(ABORT, 'tree nodes are append-only');
END;
CREATE TRIGGER tree_nodes_no_delete BEFORE DELETE ON tree_nodes
BEGIN
    SELECT RAISE(ABORT, 'tree nodes are append-only');
END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
