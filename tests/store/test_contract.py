"""The contract's data types and helpers, and ``open_store``'s URL dispatch."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.errors import NotFound, ValidationError
from truce.store import KeyState, NewRecord, Store, open_store
from truce.store.contract import RecordRef, normalise_time, parse_ref
from truce.store.sqlite import SqliteStore

__all__: list[str] = []

_PAYLOAD = b'{"type":"observation"}'
_GOOD: dict[str, Any] = {
    "record_id": hashlib.sha256(_PAYLOAD).hexdigest(),
    "kind": "observation",
    "keyid": "0123456789abcdef" * 2,
    "payload": _PAYLOAD,
    "entry": b'{"payload":"..."}',
    "signed_at": "2025-03-20T04:15:00Z",
    "event_time": "2025-03-20T04:10:00Z",
    "subject": "agreement-1@3",
    "synthetic": False,
}
_KEY: dict[str, Any] = {
    "keyid": "0123456789abcdef" * 2,
    "public_key": bytes(range(32)),
    "role": "monitor",
    "principal": "monitor-07",
    "party": None,
    "status": "active",
    "enrolled_seq": 3,
    "changed_seq": 3,
}


# -- NewRecord ---------------------------------------------------------------------


def test_new_record_keeps_good_fields() -> None:
    rec = NewRecord(**_GOOD)
    assert dataclasses.asdict(rec) == _GOOD | {"reveals": ()}
    sealed = NewRecord(**_GOOD, reveals=(("observed_by.monitor", '"m-07"', "c2FsdA=="),))
    assert sealed.reveals[0][0] == "observed_by.monitor"
    for bad in ((("", "1", "s"),), (("p", "1"),), (("p", "1", "s"), ("p", "2", "s"))):
        with pytest.raises(ValidationError) as exc:
            NewRecord(**_GOOD, reveals=bad)  # type: ignore[arg-type]
        assert exc.value.field is not None and exc.value.field.startswith("reveals[")
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.kind = "finding"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("record_id", "ab" * 32 + "0"),
        ("record_id", "AB" * 32),
        ("record_id", "0" * 64),  # well-formed, but not the payload's hash
        ("payload", b""),
        ("payload", "text"),
        ("entry", b""),
        ("kind", ""),
        ("kind", "Observation"),
        ("kind", "a" * 65),
        ("keyid", "0123"),
        ("keyid", None),
        ("signed_at", ""),
        ("signed_at", "2025-03-20"),
        ("signed_at", "2025-03-20T04:15:00+02:00"),
        ("signed_at", "2025-13-20T04:15:00Z"),
        ("event_time", "2025-03-20 04:15:00Z"),
        ("subject", ""),
        ("subject", "x" * 1025),
        ("synthetic", 1),
    ],
)
def test_new_record_refuses_bad_fields(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        NewRecord(**{**_GOOD, field: value})
    assert info.value.field == field


def test_new_record_normalises_times() -> None:
    rec = NewRecord(
        **{
            **_GOOD,
            "signed_at": "2025-03-20T04:15:00+00:00",
            "event_time": "2025-03-20T04:10:59.999999Z",
        }
    )
    assert rec.signed_at == "2025-03-20T04:15:00Z"
    assert rec.event_time == "2025-03-20T04:10:59Z"
    assert NewRecord(**{**_GOOD, "event_time": None}).event_time is None


_moments = st.datetimes(datetime(1970, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@given(_moments, _moments)
def test_normalised_times_sort_like_the_times(a: datetime, b: datetime) -> None:
    na, nb = normalise_time(_iso(a), "t"), normalise_time(_iso(b), "t")
    assert na == a.strftime("%Y-%m-%dT%H:%M:%SZ")  # the one-second floor
    assert len(na) == 20
    if a.replace(microsecond=0) < b.replace(microsecond=0):
        assert na < nb
    assert (na == nb) == (
        abs(a.replace(microsecond=0) - b.replace(microsecond=0)) < timedelta(0, 1)
    )


# -- KeyState ----------------------------------------------------------------------


def test_key_state_field_order_is_stable() -> None:
    positional = KeyState(*_KEY.values())
    assert positional == KeyState(**_KEY)
    assert [f.name for f in dataclasses.fields(KeyState)] == list(_KEY)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("keyid", "A" * 32),
        ("public_key", bytes(31)),
        ("public_key", "k" * 32),
        ("role", ""),
        ("principal", None),
        ("party", ""),
        ("status", "suspended"),
        ("enrolled_seq", -1),
        ("enrolled_seq", True),
        ("changed_seq", 2),  # before enrolled_seq
    ],
)
def test_key_state_refuses_bad_fields(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        KeyState(**{**_KEY, field: value})
    assert info.value.field == field


# -- references --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("#0", RecordRef(0, None)),
        ("#1234567", RecordRef(1234567, None)),
        ("42", RecordRef(42, None)),
        ("12345", RecordRef(12345, None)),
        ("123456", RecordRef(123456, "123456")),  # a seq or an id prefix
        ("abcdef", RecordRef(None, "abcdef")),
        (" ABCDEF12 ", RecordRef(None, "abcdef12")),
        ("a" * 64, RecordRef(None, "a" * 64)),
    ],
)
def test_parse_ref(ref: str, expected: RecordRef) -> None:
    assert parse_ref(ref) == expected


@pytest.mark.parametrize("ref", ["", "#", "#x", "#-1", "abcde", "abcdefg", "a" * 65, "١٢", 12])
def test_parse_ref_refuses(ref: object) -> None:
    with pytest.raises(ValidationError) as info:
        parse_ref(ref)
    assert info.value.field == "ref"


# -- open_store ----------------------------------------------------------------------


def test_open_store_sqlite_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel/truce.db", create=True) as store:
        assert isinstance(store, SqliteStore)
        assert isinstance(store, Store)
        assert store.path == str(tmp_path / "rel" / "truce.db")
    absolute = tmp_path / "abs" / "truce.db"
    with open_store(f"sqlite:///{absolute}", create=True) as store:  # sqlite:////abs/...
        assert isinstance(store, SqliteStore)
        assert store.path == str(absolute)
    with open_store(str(absolute)) as store:  # a plain path ending in .db
        assert isinstance(store, SqliteStore)
        assert store.path == str(absolute)
    with open_store("rel/truce.db") as store:
        assert isinstance(store, SqliteStore)
        assert store.path == str(tmp_path / "rel" / "truce.db")


def test_open_store_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    for url in (str(path), f"sqlite:///{path}"):
        with pytest.raises(NotFound) as info:
            open_store(url)
        assert (info.value.what, info.value.ident) == ("store", str(path))
    assert not path.exists()


@pytest.mark.parametrize("url", ["postgresql://db.example/truce", "postgres://u@h/truce"])
def test_open_store_postgresql_is_refused_clearly(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        open_store(url, create=True)
    assert info.value.field == "store"
    assert "PostgreSQL driver is not available in this version" in info.value.reason


@pytest.mark.parametrize(
    "url",
    [
        "mysql://h/db",
        "http://example.org/x.db",
        "truce.sqlite",
        "",
        "sqlite://host/x.db",
        "sqlite:///",
    ],
)
def test_open_store_refuses_unknown_urls(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        open_store(url)
    assert info.value.field == "store"
