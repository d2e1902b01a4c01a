"""The Merkle-tree tables of the SQLite driver (layout 2): full-subtree hashes, checkpoints.

Plain functions over a connection; :class:`truce.store.sqlite.SqliteStore`
wraps them in its transactions and error translation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from truce.errors import Conflict, NotFound, ValidationError

__all__ = ["checkpoint", "integrate", "tree_nodes", "tree_size"]

_CHUNK = 400  # (level, idx) pairs per query: 800 parameters, well under SQLite's limit


def tree_size(conn: sqlite3.Connection) -> int:
    top = conn.execute("SELECT max(size) FROM checkpoints").fetchone()[0]
    return 0 if top is None else int(top)


def tree_nodes(
    conn: sqlite3.Connection, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    out: dict[tuple[int, int], bytes] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        where = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
        params = [v for key in chunk for v in key]
        sql = f"SELECT level, idx, hash FROM tree_nodes WHERE {where}"
        for level, idx, digest in conn.execute(sql, params):
            out[(int(level), int(idx))] = bytes(digest)
    return out


def integrate(
    conn: sqlite3.Connection,
    nodes: Sequence[tuple[int, int, bytes]],
    *,
    size: int,
    root: bytes,
    note: bytes,
    signed_at: str,
) -> None:
    """Inside the caller's write transaction: check, then insert nodes and checkpoint."""
    if len(root) != 32 or not note:
        raise ValidationError("a checkpoint needs a 32-byte root and a signed note")
    latest = conn.execute("SELECT max(size) FROM checkpoints").fetchone()[0]
    if latest is not None and size <= latest:
        raise Conflict(
            f"a checkpoint of size {latest} exists; a new one must be larger, not {size}",
            existing={"size": latest},
        )
    top = conn.execute("SELECT max(seq) FROM records").fetchone()[0]
    if size > (0 if top is None else top + 1):
        raise Conflict(f"the log has fewer than {size} entries")
    try:
        conn.executemany("INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)", nodes)
    except sqlite3.IntegrityError as exc:
        raise Conflict(f"a tree node is already stored: {exc}") from exc
    conn.execute(
        "INSERT INTO checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
        (size, root, note, signed_at),
    )


def checkpoint(conn: sqlite3.Connection, size: int | None) -> tuple[int, bytes, bytes]:
    if size is None:
        row = conn.execute(
            "SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1"
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT size, root, note FROM checkpoints WHERE size = ?", (size,)
        ).fetchone()
    if row is None:
        raise NotFound("checkpoint", "latest" if size is None else str(size))
    return int(row[0]), bytes(row[1]), bytes(row[2])
