"""Numbered schema migrations: loading ``NNNN_name.sql`` files and splitting them into statements.

Each driver keeps its migrations in ``truce/store/migrations/<driver>/``,
named ``0001_init.sql``, ``0002_tiles.sql``, ... The number is the layout
version the database has once the file is applied; numbers start at 1 and
have no gaps. A migration is never edited once released: a change is a new
file. Drivers apply the pending ones in order inside one transaction.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from truce.errors import StorageError

__all__ = ["Migration", "load_migrations", "packaged_migrations", "split_statements"]

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration: the layout version it produces, its name and its statements."""

    version: int
    name: str
    statements: tuple[str, ...]

    @property
    def label(self) -> str:
        """``0002_tiles``: how messages name the migration."""
        return f"{self.version:04d}_{self.name}"


def split_statements(script: str, *, source: str = "<script>") -> tuple[str, ...]:
    """The SQL statements of ``script``, in order, each ending with ``;``.

    Splits only where SQLite itself sees a complete statement
    (:func:`sqlite3.complete_statement`), so semicolons inside strings,
    comments and trigger bodies are kept. Comment-only pieces are dropped.
    Raises StorageError if the script ends inside a statement.
    """
    statements: list[str] = []
    start = 0
    for i, char in enumerate(script):
        if char != ";":
            continue
        piece = script[start : i + 1]
        if sqlite3.complete_statement(piece):
            if _COMMENT.sub("", piece).strip() not in ("", ";"):
                statements.append(piece.strip())
            start = i + 1
    if _COMMENT.sub("", script[start:]).strip():
        raise StorageError(f"migration {source} ends inside a statement (missing ';'?)")
    return tuple(statements)


def load_migrations(directory: Traversable | str | os.PathLike[str]) -> tuple[Migration, ...]:
    """Every migration in ``directory``, sorted by version.

    Guarantees the versions are exactly 1..N with N >= 1. Raises StorageError for a
    missing directory, an ``.sql`` file not named ``NNNN_name.sql``, a gap or
    a repeated number: a broken set of migrations must never be half applied.
    """
    folder: Traversable = (
        directory if isinstance(directory, Traversable) else Path(os.fspath(directory))
    )
    try:
        files = [f for f in folder.iterdir() if f.name.endswith(".sql")]
        found: dict[int, Migration] = {}
        for file in files:
            match = _NAME.fullmatch(file.name)
            if match is None:
                raise StorageError(
                    f"migration file {file.name!r} in {folder} is not named NNNN_name.sql"
                )
            version = int(match.group(1))
            if version in found:
                raise StorageError(f"two migrations number {version:04d} in {folder}")
            statements = split_statements(file.read_text(encoding="utf-8"), source=file.name)
            found[version] = Migration(version, match.group(2), statements)
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"cannot read migrations from {folder}: {exc}") from exc
    versions = sorted(found)
    if not versions or versions != list(range(1, len(versions) + 1)):
        raise StorageError(
            f"migrations in {folder} must be numbered 0001, 0002, ... without gaps; "
            f"found {', '.join(f'{v:04d}' for v in versions) or 'none'}"
        )
    return tuple(found[v] for v in versions)


def packaged_migrations(driver: str) -> tuple[Migration, ...]:
    """The migrations shipped with Truce for ``driver`` (``"sqlite"``, ...)."""
    return load_migrations(resources.files("truce.store").joinpath("migrations").joinpath(driver))
