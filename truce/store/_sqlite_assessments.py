"""The compliance assessments table of the SQLite driver (layout 4).

Plain functions over a connection; :class:`truce.store.sqlite.SqliteStore`
wraps them in its transactions and error translation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from operator import attrgetter

from truce.errors import ValidationError
from truce.store.contract import ASSESSMENT_STATUSES, Assessment

__all__ = ["find", "replace"]

_COLUMNS = (
    "record_id, seq, agreement_id, version, term_id, list_id, status, event_day, region, "
    "explanation"
)
_FIELDS = attrgetter(*_COLUMNS.split(", "))


def replace(
    conn: sqlite3.Connection, rows: Sequence[Assessment], since_seq: int, evaluated_to: int
) -> None:
    for i, row in enumerate(rows):
        if type(row) is not Assessment:
            raise ValidationError(
                f"expected an Assessment, got {type(row).__name__}", field=f"rows[{i}]"
            )
        if row.seq < since_seq:
            raise ValidationError(
                f"record #{row.seq} is before since_seq {since_seq}", field=f"rows[{i}].seq"
            )
    conn.execute("DELETE FROM assessments WHERE seq >= ?", (since_seq,))
    conn.executemany(
        f"INSERT INTO assessments ({_COLUMNS}) VALUES ({', '.join('?' * 10)})",
        [_FIELDS(r) for r in rows],
    )
    conn.execute(
        "INSERT INTO meta (name, value) VALUES ('compliance_seq', ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (str(evaluated_to),),
    )


def find(
    conn: sqlite3.Connection,
    *,
    term_id: str | None,
    status: str | None,
    list_id: str | None,
    record_id: str | None,
    limit: int | None,
) -> list[Assessment]:
    if status is not None and status not in ASSESSMENT_STATUSES:
        raise ValidationError(f"must be one of {', '.join(ASSESSMENT_STATUSES)}", field="status")
    where, params = [], []
    for column, value in (
        ("term_id", term_id),
        ("status", status),
        ("list_id", list_id),
        ("record_id", record_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {_COLUMNS} FROM assessments"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq, agreement_id, version, term_id, list_id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [Assessment(*row) for row in conn.execute(sql, params)]
