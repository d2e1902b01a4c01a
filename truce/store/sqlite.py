"""The native SQLite driver of the :class:`~truce.store.contract.Store` contract.

Done the SQLite way:

- WAL journal, ``synchronous=FULL`` (every acknowledged commit is fsynced),
  ``foreign_keys=ON``, a busy timeout; autocommit mode (``isolation_level=None``)
  with explicit transactions: every write runs in ``BEGIN IMMEDIATE``, so there
  is one writer at a time and a writer never fails half-way on a lock upgrade.
  A database that stays locked past the timeout raises
  :class:`~truce.errors.Pushback`.
- One row of ``records`` is a record *and* its log entry; ``seq`` is the rowid,
  assigned as ``size() + i`` inside the write transaction, so the log is
  gap-free by construction. Batches go through one ``executemany``;
  duplicates are caught by the UNIQUE constraint (no per-record SELECT).
- Numbered migrations (``migrations/sqlite/NNNN_name.sql``);
  ``PRAGMA user_version`` holds the layout version and ``PRAGMA
  application_id`` marks the file as a Truce store (``0x54525543``, "TRUC").
- Every ``sqlite3`` exception is translated at this boundary into
  StorageError, Pushback or Conflict, with the original as ``__cause__``.

A :class:`SqliteStore` holds one connection and is used from the thread that
opened it (sqlite3's ``check_same_thread``); several processes may share the
database file (WAL + ``BEGIN IMMEDIATE``).

Example::

    >>> store = SqliteStore("/tmp/mission.db", create=True)   # doctest: +SKIP
    >>> store.size()                                           # doctest: +SKIP
    0
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from importlib.resources.abc import Traversable
from operator import attrgetter
from types import TracebackType
from typing import Any, NoReturn, Self, TypeVar
from urllib.parse import quote

from truce.errors import AuthError, Conflict, NotFound, Pushback, StorageError, ValidationError
from truce.store import _sqlite_assessments, _sqlite_tree
from truce.store._migrations import Migration, load_migrations, packaged_migrations
from truce.store._rules import (
    check_batch,
    check_index,
    check_key_updates,
    check_meta,
    check_range,
    scan_filter,
)
from truce.store.contract import (
    Assessment,
    KeyState,
    NewRecord,
    StoredRecord,
    check_keyid,
    check_record_id,
    parse_ref,
)

__all__ = ["APPLICATION_ID", "DEFAULT_BUSY_TIMEOUT", "RETRY_AFTER", "SqliteStore"]

#: ``PRAGMA application_id`` of every Truce SQLite store: "TRUC".
APPLICATION_ID = 0x54525543
#: Seconds a write waits for another writer before raising Pushback.
DEFAULT_BUSY_TIMEOUT = 5.0
#: ``Pushback.retry_after`` when the database stayed locked.
RETRY_AFTER = 1.0

_CHUNK = 512  # rows per fetchmany() while streaming
_IN_CHUNK = 500  # ids per "IN (...)" lookup
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 5, 6, 11, 13, 26

_COLUMNS = (
    "seq, accepted_at, record_id, kind, keyid, payload, entry, "
    "signed_at, event_time, subject, synthetic"
)
_INSERT = f"INSERT INTO records ({_COLUMNS}) VALUES ({', '.join('?' * 11)})"
_KEY_COLUMNS = "keyid, public_key, role, principal, party, status, enrolled_seq, changed_seq"
_RECORD_FIELDS = attrgetter(*_COLUMNS.split(", ")[2:])  # what follows seq, accepted_at
_KEY_FIELDS = attrgetter(*_KEY_COLUMNS.split(", "))
_UPSERT_KEY = (
    f"INSERT INTO keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (keyid) DO UPDATE SET role = excluded.role, principal = excluded.principal, "
    "party = excluded.party, status = excluded.status, changed_seq = excluded.changed_seq"
)


T = TypeVar("T")


def _record(row: Any) -> StoredRecord:
    fields = (*row[:10], bool(row[10]))  # SQLite has no booleans
    return StoredRecord(*fields)


def _key(row: Any) -> KeyState:
    return KeyState(*row)


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _IN_CHUNK):
        yield items[i : i + _IN_CHUNK]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class SqliteStore:
    """A Truce store in one SQLite file. See the module docstring for the design.

    ``path`` is the database file. ``create`` allows creating it (and its
    directory); otherwise a missing file raises NotFound. ``migrations`` is a
    directory of ``NNNN_name.sql`` files replacing the packaged ones (tests);
    ``busy_timeout`` is how long, in seconds, a write waits for another
    writer before raising Pushback. Opening migrates an older layout, refuses
    a newer one and refuses a file that is not a Truce store (StorageError).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = False,
        migrations: Traversable | str | os.PathLike[str] | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = os.path.abspath(os.fspath(path))
        self._migrations: tuple[Migration, ...] = (
            packaged_migrations("sqlite") if migrations is None else load_migrations(migrations)
        )
        self._conn: sqlite3.Connection | None = self._connect(create, busy_timeout)
        try:
            self._layout = self._prepare(self._conn, create)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    # -- opening ------------------------------------------------------------

    @property
    def _latest(self) -> int:
        return len(self._migrations)

    def _connect(self, create: bool, busy_timeout: float) -> sqlite3.Connection:
        if not create and not os.path.exists(self.path):
            raise NotFound("store", self.path, hint="create it first (truce init)")
        if create:
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the directory of {self.path}: {exc}") from exc
        uri = f"file:{quote(self.path)}?mode={'rwc' if create else 'rw'}"
        try:
            return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open store {self.path}: {exc}") from exc

    def _identity(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return int(app_id), int(version), int(objects)

    def _check_identity(self, app_id: int, version: int, objects: int, create: bool) -> None:
        if app_id == 0 and version == 0 and objects == 0:
            if not create:
                raise StorageError(
                    f"{self.path} is an empty database, not a Truce store",
                    hint="open it with create=True to initialise it",
                )
            return
        if app_id != APPLICATION_ID:
            raise StorageError(
                f"{self.path} is not a Truce store (SQLite application_id {app_id:#010x}, "
                f"expected {APPLICATION_ID:#010x})"
            )
        if version > self._latest:
            raise StorageError(
                f"database layout v{version} is newer than this Truce "
                f"(knows up to v{self._latest}); upgrade Truce",
                hint=f"store: {self.path}",
            )

    def _prepare(self, conn: sqlite3.Connection, create: bool) -> int:
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            app_id, version, objects = self._identity(conn)
            self._check_identity(app_id, version, objects, create)
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    raise StorageError(f"cannot switch {self.path} to WAL (journal_mode {mode})")
        except sqlite3.Error as exc:
            raise self._error(exc, "open") from exc
        if version < self._latest:
            self._migrate(conn, create)
        return self._latest

    def _migrate(self, conn: sqlite3.Connection, create: bool) -> None:
        self._begin(conn)
        current: Migration | None = None
        try:
            app_id, version, objects = self._identity(conn)  # again, under the write lock
            self._check_identity(app_id, version, objects, create)
            for current in self._migrations[version:]:
                for statement in current.statements:
                    conn.execute(statement)
            current = None
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {self._latest}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            if current is not None:
                raise StorageError(
                    f"migration {current.label} failed on {self.path}: {exc}; nothing was changed"
                ) from exc
            raise self._error(exc, "migrate") from exc
        except BaseException:
            self._rollback(conn)
            raise

    # -- plumbing -----------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"store {self.path} is closed")
        return self._conn

    def _error(self, exc: sqlite3.Error, action: str) -> StorageError:
        """The Truce error for a sqlite3 exception raised while doing ``action``."""
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(exc)
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
            return Pushback(
                f"store {self.path} is busy (another writer); could not {action} it",
                retry_after=RETRY_AFTER,
            )
        if primary == _SQLITE_NOTADB:
            return StorageError(f"{self.path} is not a Truce store (not an SQLite database)")
        if primary == _SQLITE_CORRUPT:
            return StorageError(
                f"store {self.path} is damaged: {text}", hint="run truce fsck; restore a backup"
            )
        if primary == _SQLITE_FULL:
            return StorageError(f"store {self.path}: disk full; could not {action} it")
        return StorageError(f"could not {action} store {self.path}: {text}")

    def _begin(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc, "write to") from exc

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc

    # -- the contract -------------------------------------------------------

    @property
    def layout_version(self) -> int:
        """The layout version of the open database (the newest this code knows)."""
        return self._layout

    def append(
        self,
        records: Sequence[NewRecord],
        *,
        key_updates: Sequence[KeyState] = (),
        require_active: Collection[str] = (),
        blobs: Mapping[str, bytes] | None = None,
    ) -> list[int]:
        """Append a batch atomically and durably; see :meth:`Store.append` for every guarantee."""
        checked = check_batch(records, key_updates, require_active, blobs)
        batch = checked.records
        if not batch:
            return []

        def write(conn: sqlite3.Connection) -> int:
            first = conn.execute("SELECT max(seq) FROM records").fetchone()[0]
            first = 0 if first is None else first + 1
            if checked.require_active:
                self._require_active(conn, checked.require_active)
            accepted_at = _utc_now()
            rows = [(first + i, accepted_at, *_RECORD_FIELDS(r)) for i, r in enumerate(batch)]
            try:
                conn.executemany(_INSERT, rows)
            except sqlite3.IntegrityError as exc:
                self._raise_existing(conn, [r.record_id for r in batch], first, exc)
            if checked.key_updates:
                self._apply_key_updates(conn, checked.key_updates, first, first + len(batch))
            sealed = [(r.record_id, *item) for r in batch for item in r.reveals]
            if sealed:
                conn.executemany(
                    "INSERT INTO reveals (record_id, path, value, salt) VALUES (?, ?, ?, ?)", sealed
                )
            if checked.blobs:
                conn.executemany(
                    "INSERT OR IGNORE INTO blobs (sha256, size, data, seq) VALUES (?, ?, ?, ?)",
                    [(sha, len(data), data, first) for sha, data in checked.blobs],
                )
            return int(first)

        first = self._write("append to", write)
        return list(range(first, first + len(batch)))

    def _raise_existing(
        self, conn: sqlite3.Connection, ids: list[str], first: int, exc: sqlite3.IntegrityError
    ) -> NoReturn:
        stored: dict[str, int] = {}
        for chunk in _chunks(ids):
            marks = _marks(len(chunk))
            sql = f"SELECT record_id, seq FROM records WHERE seq < ? AND record_id IN ({marks})"
            stored.update(conn.execute(sql, (first, *chunk)).fetchall())
        for record_id in ids:
            if record_id in stored:
                more = len(stored) - 1
                raise Conflict(
                    f"record {record_id} is already stored at seq {stored[record_id]}"
                    + (f" (and {more} more of this batch)" if more else ""),
                    existing={"record_id": record_id, "seq": stored[record_id]},
                ) from exc
        raise StorageError(f"store {self.path} refused the batch: {exc}") from exc

    @staticmethod
    def _require_active(conn: sqlite3.Connection, keyids: list[str]) -> None:
        status: dict[str, str] = {}
        for chunk in _chunks(keyids):
            sql = f"SELECT keyid, status FROM keys WHERE keyid IN ({_marks(len(chunk))})"
            status.update(conn.execute(sql, chunk).fetchall())
        for keyid in keyids:
            state = status.get(keyid)
            if state != "active":
                what = "not enrolled" if state is None else state
                raise AuthError(f"key {keyid} is {what}", keyid=keyid)

    @staticmethod
    def _apply_key_updates(
        conn: sqlite3.Connection, updates: list[KeyState], first: int, stop: int
    ) -> None:
        wanted = sorted({u.keyid for u in updates})
        current: dict[str, KeyState] = {}
        for chunk in _chunks(wanted):
            sql = f"SELECT {_KEY_COLUMNS} FROM keys WHERE keyid IN ({_marks(len(chunk))})"
            current.update((row[0], _key(row)) for row in conn.execute(sql, chunk))
        check_key_updates(updates, current, first, stop)
        conn.executemany(_UPSERT_KEY, [_KEY_FIELDS(u) for u in updates])

    def replace_assessments(
        self, rows: Sequence[Assessment], *, since_seq: int, evaluated_to: int
    ) -> None:
        """Replace the assessments of records from ``since_seq`` on, in one transaction."""
        since = check_index(since_seq, "since_seq")
        upto = check_index(evaluated_to, "evaluated_to")
        self._write(
            "store assessments in",
            lambda conn: _sqlite_assessments.replace(conn, rows, since, upto),
        )

    def assessments(
        self,
        *,
        term_id: str | None = None,
        status: str | None = None,
        list_id: str | None = None,
        record_id: str | None = None,
        limit: int | None = None,
    ) -> list[Assessment]:
        """Assessments matching every filter given, in log order."""
        if limit is not None:
            check_index(limit, "limit")
        return self._read(
            lambda conn: _sqlite_assessments.find(
                conn,
                term_id=term_id,
                status=status,
                list_id=list_id,
                record_id=record_id,
                limit=limit,
            )
        )

    def reveals(self, record_id: str) -> list[tuple[str, str, str]]:
        """The sealed values stored with a record, sorted by path."""
        check_record_id(record_id)
        rows = self._rows(
            "SELECT path, value, salt FROM reveals WHERE record_id = ? ORDER BY path",
            (record_id,),
        )
        return [(str(p), str(v), str(s)) for p, v, s in rows]

    def get_blob(self, sha256: str) -> bytes | None:
        """The stored blob with this SHA-256, or None."""
        rows = self._rows("SELECT data FROM blobs WHERE sha256 = ?", (str(sha256),))
        return bytes(rows[0][0]) if rows else None

    def blob_index(self, stop: int | None = None) -> list[tuple[str, int]]:
        """``(sha256, seq)`` of the blobs stored with records before ``stop``."""
        limit = -1 if stop is None else check_index(stop, "stop")
        sql = "SELECT sha256, seq FROM blobs WHERE ? < 0 OR seq < ? ORDER BY seq, sha256"
        return [(str(sha), int(seq)) for sha, seq in self._rows(sql, (limit, limit))]

    def size(self) -> int:
        """The number of log entries (the next seq)."""
        top = self._rows("SELECT max(seq) FROM records")[0][0]
        return 0 if top is None else int(top) + 1

    def get(self, record_id: str) -> StoredRecord:
        """The record with this full id; NotFound if absent, ValidationError if malformed."""
        check_record_id(record_id)
        rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE record_id = ?", (record_id,))
        if not rows:
            raise NotFound("record", record_id)
        return _record(rows[0])

    def get_seq(self, seq: int) -> StoredRecord:
        """The record at log index ``seq``; NotFound beyond the end."""
        check_index(seq, "seq")
        rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE seq = ?", (seq,))
        if not rows:
            raise NotFound("record", f"#{seq}")
        return _record(rows[0])

    def resolve(self, ref: str) -> StoredRecord:
        """The one record named by an id, an id prefix of >= 6 hex characters, or ``#seq``."""
        parsed = parse_ref(ref)
        by_prefix: list[StoredRecord] = []
        matches = 0
        if parsed.prefix is not None:
            bounds = (parsed.prefix, parsed.prefix + "g")  # every hex id with the prefix
            where = "record_id >= ? AND record_id < ?"
            matches = self._rows(f"SELECT count(*) FROM records WHERE {where}", bounds)[0][0]
            rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE {where} LIMIT 5", bounds)
            by_prefix = [_record(row) for row in rows]
        by_seq: StoredRecord | None = None
        if parsed.seq is not None:
            rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE seq = ?", (parsed.seq,))
            if rows and not any(r.seq == parsed.seq for r in by_prefix):
                by_seq = _record(rows[0])
                matches += 1
        if matches == 0:
            raise NotFound("record", ref)
        if matches > 1:
            shown = [
                f"#{r.seq} {r.record_id[:12]}" for r in ([by_seq] if by_seq else []) + by_prefix
            ]
            raise ValidationError(
                f"{ref!r} is ambiguous: {matches} records match",
                field="ref",
                hint="give more characters of the id, or #seq; candidates: " + ", ".join(shown),
            )
        return by_seq if by_seq is not None else by_prefix[0]

    def scan(
        self,
        *,
        kinds: Collection[str] | None = None,
        since_seq: int = 0,
        until_seq: int | None = None,
        subject: str | None = None,
        keyid: str | None = None,
        event_from: str | None = None,
        event_to: str | None = None,
        limit: int | None = None,
        descending: bool = False,
    ) -> Iterator[StoredRecord]:
        """Stream matching records in seq order; see :meth:`Store.scan` for the filters."""
        f = scan_filter(
            kinds=kinds,
            since_seq=since_seq,
            until_seq=until_seq,
            subject=subject,
            keyid=keyid,
            event_from=event_from,
            event_to=event_to,
            limit=limit,
            descending=descending,
        )
        size = self.size()  # the snapshot: appends made while iterating are not yielded
        if f.empty:
            return iter(())
        # The snapshot bound must not steer the planner away from the filters' indexes
        # ("+seq" is not indexable); bounds the caller gave are worth an index.
        seq = "seq" if f.since_seq or f.until_seq is not None else "+seq"
        clauses = [f"{seq} >= ?", f"{seq} < ?"]
        params: list[Any] = [f.since_seq, size if f.until_seq is None else min(f.until_seq, size)]
        if f.kinds is not None:
            clauses.append(f"kind IN ({_marks(len(f.kinds))})")
            params.extend(f.kinds)
        for condition, value in (
            ("subject = ?", f.subject),
            ("keyid = ?", f.keyid),
            ("event_time >= ?", f.event_from),
            ("event_time < ?", f.event_to),
        ):
            if value is not None:
                clauses.append(condition)
                params.append(value)
        sql = (
            f"SELECT {_COLUMNS} FROM records WHERE {' AND '.join(clauses)} "
            f"ORDER BY seq {'DESC' if f.descending else 'ASC'}"
        )
        if f.limit is not None:
            sql += " LIMIT ?"
            params.append(f.limit)
        return self._stream(sql, params)

    def _stream(self, sql: str, params: list[Any]) -> Iterator[StoredRecord]:
        try:
            cursor = self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._error(exc, "scan") from exc
        try:
            while True:
                try:
                    rows = cursor.fetchmany(_CHUNK)
                except sqlite3.Error as exc:
                    raise self._error(exc, "scan") from exc
                if not rows:
                    return
                for row in rows:
                    yield _record(row)
        finally:
            with contextlib.suppress(sqlite3.Error):
                cursor.close()

    def entries(self, start: int, stop: int) -> list[bytes]:
        """The log entries of seqs ``[start, stop)``, in order."""
        start, stop = check_range(start, stop, self.size())
        rows = self._rows(
            "SELECT seq, entry FROM records WHERE seq >= ? AND seq < ? ORDER BY seq", (start, stop)
        )
        if len(rows) != stop - start or (rows and (rows[0][0], rows[-1][0]) != (start, stop - 1)):
            raise StorageError(f"store {self.path} has a gap in seqs {start}..{stop - 1}")
        return [row[1] for row in rows]

    def counts(self) -> dict[str, int]:
        """Stored records per kind."""
        rows = self._rows("SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind")
        return {kind: int(n) for kind, n in rows}

    def synthetic_count(self) -> int:
        """Stored records marked synthetic."""
        return int(self._rows("SELECT count(*) FROM records WHERE synthetic = 1")[0][0])

    def key(self, keyid: str) -> KeyState:
        """The state of one key; NotFound if never enrolled."""
        check_keyid(keyid)
        rows = self._rows(f"SELECT {_KEY_COLUMNS} FROM keys WHERE keyid = ?", (keyid,))
        if not rows:
            raise NotFound("key", keyid)
        return _key(rows[0])

    def keys(self) -> list[KeyState]:
        """Every key, by enrolment order."""
        rows = self._rows(f"SELECT {_KEY_COLUMNS} FROM keys ORDER BY enrolled_seq, keyid")
        return [_key(row) for row in rows]

    def get_meta(self, name: str) -> str | None:
        """A meta setting, or None."""
        check_meta(name)
        rows = self._rows("SELECT value FROM meta WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, name: str, value: str, *, overwrite: bool = False) -> None:
        """Set a meta setting durably; Conflict rather than silently change it."""
        check_meta(name, value)

        def write(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] != value and not overwrite:
                raise Conflict(
                    f"meta setting {name!r} is already {row[0]!r}; refusing to change it",
                    existing={"name": name, "value": row[0]},
                    hint="settings that identify the mission must not change silently; "
                    "pass overwrite=True if this is deliberate",
                )
            if row is None or row[0] != value:
                conn.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value)
                )

        self._write("write meta to", write)

    def tree_size(self) -> int:
        """The size of the latest checkpoint (0 before the first)."""
        return self._read(_sqlite_tree.tree_size)

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored full-subtree hashes among ``keys``."""
        return self._read(lambda conn: _sqlite_tree.tree_nodes(conn, keys))

    def checkpoint(self, size: int | None = None) -> tuple[int, bytes, bytes]:
        """``(size, root, note)`` of the latest checkpoint, or of the one at ``size``."""
        return self._read(lambda conn: _sqlite_tree.checkpoint(conn, size))

    def integrate(
        self,
        nodes: Sequence[tuple[int, int, bytes]],
        *,
        size: int,
        root: bytes,
        note: bytes,
        signed_at: str,
    ) -> None:
        """Store new tree nodes and the checkpoint over them in one durable transaction."""
        self._write(
            "integrate into",
            lambda conn: _sqlite_tree.integrate(
                conn, nodes, size=size, root=root, note=note, signed_at=signed_at
            ),
        )

    def _write(self, action: str, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one write transaction (BEGIN IMMEDIATE … COMMIT), all or nothing."""
        conn = self._db
        self._begin(conn)
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            raise self._error(exc, action) from exc
        except BaseException:
            self._rollback(conn)
            raise
        return result

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return fn(self._db)
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc

    def check(self) -> list[str]:
        """``PRAGMA quick_check``, the seq gap check, key references and the file's identity."""
        conn = self._db
        problems: list[str] = []
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            problems += [f"quick_check: {row[0]}" for row in rows if row[0] != "ok"]
            count, low, high = conn.execute(
                "SELECT count(*), min(seq), max(seq) FROM records"
            ).fetchone()
            if count and (low, high) != (0, count - 1):
                problems.append(f"the log has a gap: {count} records with seqs {low}..{high}")
            for row in conn.execute("PRAGMA foreign_key_check").fetchall():
                problems.append(f"table {row[0]} row {row[1]} refers to a missing {row[2]} row")
            app_id, version, _ = self._identity(conn)
            if app_id != APPLICATION_ID or version != self._latest:
                problems.append(f"identity: application_id {app_id:#010x}, layout v{version}")
        except sqlite3.Error as exc:
            problems.append(f"cannot check {self.path}: {exc}")
        return problems

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"layout v{self._layout}"
        return f"SqliteStore({self.path!r}, {state})"
