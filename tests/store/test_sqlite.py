"""The SQLite driver: the conformance suite, plus what only SQLite has (pragmas, locks)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from truce.errors import AuthError, Conflict, NotFound, Pushback, StorageError
from truce.store.sqlite import APPLICATION_ID, SqliteStore

from ._samples import KEY_B, enrol, make_record
from .conformance import StoreConformance, StoreFactory

__all__ = ["TestSqliteConformance", "TestSqliteDriver"]


class TestSqliteConformance(StoreConformance):
    """The whole contract, on SQLite."""

    @pytest.fixture
    def store_factory(self) -> Iterator[StoreFactory]:
        opened: list[SqliteStore] = []

        def make(path: Path) -> SqliteStore:
            store = SqliteStore(path / "truce.db", create=True)
            opened.append(store)
            return store

        yield make
        for store in opened:
            store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "truce.db"


@pytest.fixture
def store(db: Path) -> Iterator[SqliteStore]:
    with SqliteStore(db, create=True, busy_timeout=0.2) as store:
        yield store


def _raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None, timeout=5, check_same_thread=False)


class TestSqliteDriver:
    def test_settings(self, store: SqliteStore, db: Path) -> None:
        conn = store._conn
        assert conn is not None
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.isolation_level is None
        raw = _raw(db)
        try:
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            assert raw.execute("PRAGMA user_version").fetchone()[0] == store.layout_version
        finally:
            raw.close()

    def test_missing_file_is_not_created(self, tmp_path: Path) -> None:
        path = tmp_path / "nope" / "truce.db"
        with pytest.raises(NotFound) as info:
            SqliteStore(path)
        assert str(path) in info.value.message
        assert not path.parent.exists()
        with SqliteStore(path, create=True) as store:
            assert store.size() == 0
        assert path.exists()

    def test_acknowledged_means_committed(self, store: SqliteStore, db: Path) -> None:
        store.append([make_record(0), make_record(1)])
        raw = _raw(db)
        try:
            assert raw.execute("SELECT count(*) FROM records").fetchone()[0] == 2
        finally:
            raw.close()
        assert store._conn is not None
        assert not store._conn.in_transaction

    def test_busy_store_pushes_back(self, store: SqliteStore, db: Path) -> None:
        blocker = _raw(db)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            with pytest.raises(Pushback) as info:
                store.append([make_record(0)])
            assert time.monotonic() - started >= 0.15  # it waited for the busy timeout
            assert isinstance(info.value.__cause__, sqlite3.OperationalError)
            assert info.value.retry_after > 0
            with pytest.raises(Pushback):
                store.set_meta("mission_id", "m")
            assert store.size() == 0  # reads are not blocked (WAL)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.append([make_record(0)]) == [0]

    def test_revocation_racing_with_a_submission(self, store: SqliteStore, db: Path) -> None:
        enrol(store, KEY_B, 100)
        locked = threading.Event()

        def revoke() -> None:
            conn = _raw(db)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE keys SET status = 'revoked' WHERE keyid = ?", (KEY_B,))
            locked.set()
            time.sleep(0.3)
            conn.execute("COMMIT")
            conn.close()

        racer = threading.Thread(target=revoke)
        racer.start()
        try:
            assert locked.wait(5)
            assert store.key(KEY_B).status == "active"  # what a check before append sees
            slow = SqliteStore(db, busy_timeout=5)
            try:
                with pytest.raises(AuthError) as info:
                    slow.append([make_record(0, keyid=KEY_B)], require_active=[KEY_B])
                assert info.value.keyid == KEY_B
            finally:
                slow.close()
        finally:
            racer.join()
        assert store.size() == 1

    def test_failed_append_releases_the_write_lock(self, store: SqliteStore, db: Path) -> None:
        store.append([make_record(0)])
        with pytest.raises(Conflict):
            store.append([make_record(1), make_record(0)])
        assert store._conn is not None
        assert not store._conn.in_transaction
        with SqliteStore(db, busy_timeout=0.1) as other:
            assert other.append([make_record(1)]) == [1]

    def test_log_is_append_only(self, store: SqliteStore, db: Path) -> None:
        store.append([make_record(0)])
        raw = _raw(db)
        try:
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                raw.execute("UPDATE records SET kind = 'finding'")
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                raw.execute("DELETE FROM records")
        finally:
            raw.close()
        assert store.get_seq(0).kind == "observation"

    def test_check_reports_a_gap(self, store: SqliteStore, db: Path) -> None:
        store.append([make_record(i) for i in range(3)])
        enrol(store, KEY_B, 100)
        raw = _raw(db)
        try:
            raw.execute("DROP TRIGGER records_no_delete")
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute("DELETE FROM records WHERE seq IN (1, 3)")
        finally:
            raw.close()
        problems = store.check()
        assert any("gap" in p for p in problems)
        assert any("keys" in p for p in problems)  # the key's enrolment record is gone
        with pytest.raises(StorageError):
            store.entries(0, 3)

    def test_check_reports_damage_instead_of_raising(self, db: Path) -> None:
        with SqliteStore(db, create=True) as store:
            store.append([make_record(i, size=300) for i in range(400)])
        data = bytearray(db.read_bytes())
        assert len(data) > 40 * 4096
        data[20 * 4096 : 30 * 4096] = b"\xa5" * (10 * 4096)  # trash ten pages mid-file
        db.write_bytes(bytes(data))
        with SqliteStore(db) as store:
            problems = store.check()
            assert problems
            with pytest.raises(StorageError) as info:
                list(store.scan())
            assert isinstance(info.value.__cause__, sqlite3.DatabaseError)

    def test_wrong_thread_is_a_storage_error(self, store: SqliteStore) -> None:
        errors: list[BaseException] = []

        def use() -> None:
            try:
                store.size()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=use)
        thread.start()
        thread.join()
        assert len(errors) == 1
        assert isinstance(errors[0], StorageError)
        assert isinstance(errors[0].__cause__, sqlite3.ProgrammingError)
