"""Numbered migrations: loading and splitting them, and how the SQLite store applies them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from truce.errors import NotFound, StorageError
from truce.store._migrations import load_migrations, packaged_migrations, split_statements
from truce.store.sqlite import APPLICATION_ID, SqliteStore

from ._samples import make_record

__all__: list[str] = []

_PACKAGED = Path(__file__).parents[2] / "truce" / "store" / "migrations" / "sqlite"


def _pragma(db: Path, name: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        conn.close()


def _migrations_with(tmp_path: Path, extra: dict[str, str]) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(_PACKAGED, folder)
    for name, sql in extra.items():
        (folder / name).write_text(sql, encoding="utf-8")
    return folder


# -- splitting and loading ------------------------------------------------------


def test_split_keeps_semicolons_inside_strings_comments_and_triggers() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a TEXT DEFAULT 'x;y');   /* block; comment */
    CREATE TRIGGER t_no_delete BEFORE DELETE ON t
    BEGIN
        SELECT RAISE(ABORT, 'no; never');
    END;
    INSERT INTO t VALUES ('1;2'); INSERT INTO t VALUES ('3');
    -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert statements[0].endswith("DEFAULT 'x;y');")
    assert "CREATE TRIGGER t_no_delete" in statements[1]
    assert statements[1].rstrip().endswith("END;")
    assert statements[2:] == ("INSERT INTO t VALUES ('1;2');", "INSERT INTO t VALUES ('3');")
    conn = sqlite3.connect(":memory:")
    for statement in statements:
        conn.execute(statement)
    assert conn.execute("SELECT a FROM t ORDER BY a").fetchall() == [("1;2",), ("3",)]
    conn.close()


def test_split_refuses_an_unfinished_statement() -> None:
    with pytest.raises(StorageError, match="ends inside a statement"):
        split_statements("CREATE TABLE a (x); CREATE TABLE b (y)", source="0002_b.sql")


def test_packaged_migrations_are_numbered_from_one() -> None:
    migrations = packaged_migrations("sqlite")
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].label == "0001_init"
    assert any("CREATE TABLE records" in s for s in migrations[0].statements)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 1;"}, "without gaps"),
        ({"0002_b.sql": "SELECT 1;"}, "without gaps"),
        ({}, "found none"),
        ({"0001_a.sql": "SELECT 1;", "1_b.sql": "SELECT 1;"}, "NNNN_name.sql"),
        ({"0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 1;"}, "two migrations"),
    ],
)
def test_broken_migration_sets_are_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, sql in files.items():
        (tmp_path / name).write_text(sql, encoding="utf-8")
    (tmp_path / "README.txt").write_text("not a migration", encoding="utf-8")
    with pytest.raises(StorageError, match=message):
        load_migrations(tmp_path)


def test_missing_migrations_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot read migrations"):
        load_migrations(tmp_path / "none")


# -- opening a store --------------------------------------------------------------


def test_fresh_store_gets_the_latest_layout(tmp_path: Path) -> None:
    db = tmp_path / "truce.db"
    with SqliteStore(db, create=True) as store:
        assert store.layout_version == len(packaged_migrations("sqlite"))
    assert _pragma(db, "user_version") == len(packaged_migrations("sqlite"))
    assert _pragma(db, "application_id") == APPLICATION_ID


def test_newer_layout_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "truce.db"
    SqliteStore(db, create=True).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    latest = len(packaged_migrations("sqlite"))
    with pytest.raises(StorageError) as info:
        SqliteStore(db)
    assert info.value.message == (
        f"database layout v99 is newer than this Truce (knows up to v{latest}); upgrade Truce"
    )


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    for create in (False, True):
        with pytest.raises(StorageError) as info:
            SqliteStore(db, create=create)
        assert str(db) in info.value.message
        assert "not a Truce store" in info.value.message
    conn = sqlite3.connect(db)  # untouched
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    conn.close()


def test_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(StorageError) as info:
        SqliteStore(path)
    assert str(path) in info.value.message
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


def test_empty_file_is_initialised_only_on_create(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with pytest.raises(StorageError, match="empty database"):
        SqliteStore(path)
    with SqliteStore(path, create=True) as store:
        assert store.size() == 0


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        SqliteStore(tmp_path / "missing.db")


def _layout_1_only(tmp_path: Path) -> Path:
    folder = tmp_path / "layout1"
    folder.mkdir()
    shutil.copy(_PACKAGED / "0001_init.sql", folder / "0001_init.sql")
    return folder


def test_layout_1_is_migrated_to_the_packaged_layout_and_beyond(tmp_path: Path) -> None:
    db = tmp_path / "truce.db"
    with SqliteStore(db, create=True, migrations=_layout_1_only(tmp_path)) as store:
        assert store.layout_version == 1
        store.append([make_record(0), make_record(1)])
    latest = len(packaged_migrations("sqlite"))
    with SqliteStore(db) as store:  # the packaged migrations add the Merkle tables
        assert store.layout_version == latest
        assert store.size() == 2
        assert store.tree_size() == 0
    migration = """
    -- Layout N+1 (test).
    CREATE TABLE extra (level INTEGER, idx INTEGER, PRIMARY KEY (level, idx));
    INSERT INTO meta (name, value) VALUES ('extra', 'yes');
    """
    folder = _migrations_with(tmp_path, {f"{latest + 1:04d}_extra.sql": migration})
    with SqliteStore(db, migrations=folder) as store:
        assert store.layout_version == latest + 1
        assert store.size() == 2
        assert store.get_meta("extra") == "yes"
        assert store.append([make_record(2)]) == [2]
        assert store.check() == []
    assert _pragma(db, "user_version") == latest + 1
    with SqliteStore(db, migrations=folder) as store:  # nothing pending: opens as is
        assert store.get_meta("extra") == "yes"
    with pytest.raises(StorageError, match="newer than this Truce"):
        SqliteStore(db)


def test_failed_migration_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "truce.db"
    with SqliteStore(db, create=True) as store:
        store.append([make_record(0)])
    latest = len(packaged_migrations("sqlite"))
    migration = "CREATE TABLE tiles (x); INSERT INTO no_such_table VALUES (1);"
    name = f"{latest + 1:04d}_tiles"
    folder = _migrations_with(tmp_path, {f"{name}.sql": migration})
    with pytest.raises(StorageError) as info:
        SqliteStore(db, migrations=folder)
    assert name in info.value.message
    assert isinstance(info.value.__cause__, sqlite3.Error)
    assert _pragma(db, "user_version") == latest
    with SqliteStore(db) as store:
        assert store.size() == 1
        assert store.check() == []
    conn = sqlite3.connect(db)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "tiles" not in tables
