"""The engine-independent rules every driver applies (batches, key changes, scan arguments)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.errors import Conflict, ValidationError
from truce.store._rules import check_batch, check_key_updates, check_meta, check_range, scan_filter
from truce.store.contract import KeyState

from ._samples import KEY_A, KEY_B, key_state, make_record

__all__: list[str] = []


def _scan(**overrides: object) -> dict[str, object]:
    args: dict[str, object] = {
        "kinds": None,
        "since_seq": 0,
        "until_seq": None,
        "subject": None,
        "keyid": None,
        "event_from": None,
        "event_to": None,
        "limit": None,
        "descending": False,
    }
    args.update(overrides)
    return args


def test_check_batch_accepts_and_copies() -> None:
    records = (make_record(0), make_record(1))
    batch = check_batch(records, (), {KEY_B, KEY_A})
    assert batch.records == list(records)
    assert batch.require_active == [KEY_A, KEY_B]  # sorted, de-duplicated


def test_check_batch_finds_the_first_repeat() -> None:
    records = [make_record(0), make_record(1), make_record(1), make_record(0)]
    with pytest.raises(Conflict) as info:
        check_batch(records, (), ())
    assert info.value.existing == {"record_id": records[1].record_id, "batch_index": [1, 2]}


def test_check_batch_needs_records_for_key_updates() -> None:
    assert check_batch([], [], []).records == []
    with pytest.raises(ValidationError):
        check_batch([], [key_state(KEY_A, 0, 0)], [])


def test_key_updates_in_order_within_a_batch() -> None:
    current = {KEY_B: key_state(KEY_B, 2, 2)}
    updates = [
        key_state(KEY_A, 10, 10),  # enrolled in this batch
        key_state(KEY_A, 10, 11, "retired"),
        key_state(KEY_B, 2, 11, "revoked"),
        key_state(KEY_A, 10, 12, "revoked"),
    ]
    check_key_updates(updates, current, 10, 13)
    assert current == {KEY_B: key_state(KEY_B, 2, 2)}  # not mutated


@pytest.mark.parametrize(
    ("update", "error", "field"),
    [
        (key_state(KEY_B, 2, 9), Conflict, None),
        (key_state(KEY_B, 2, 13), ValidationError, "key_updates[0].changed_seq"),
        (key_state(KEY_A, 9, 10), Conflict, None),
        (key_state(KEY_A, 13, 13), ValidationError, "key_updates[0].changed_seq"),
        (key_state(KEY_B, 3, 10), ValidationError, "key_updates[0].enrolled_seq"),
        (
            KeyState(KEY_B, bytes(32), "monitor", "m", None, "active", 2, 10),
            ValidationError,
            "key_updates[0].public_key",
        ),
        (key_state(KEY_B, 2, 10, "active"), Conflict, None),  # was retired
    ],
)
def test_key_update_violations(update: KeyState, error: type[Exception], field: str | None) -> None:
    current = {KEY_B: key_state(KEY_B, 2, 5, "retired")}
    with pytest.raises(error) as info:
        check_key_updates([update], current, 10, 13)
    if field is not None:
        assert isinstance(info.value, ValidationError)
        assert info.value.field == field


def test_changed_seq_never_goes_back_within_a_batch() -> None:
    updates = [key_state(KEY_A, 10, 11), key_state(KEY_A, 10, 10)]
    with pytest.raises(ValidationError) as info:
        check_key_updates(updates, {}, 10, 12)
    assert info.value.field == "key_updates[1].changed_seq"


def test_scan_filter_normalises() -> None:
    f = scan_filter(
        **_scan(  # type: ignore[arg-type]
            kinds=("b", "a", "b"), event_from="2025-03-20T04:15:00.7+00:00", limit=5
        )
    )
    assert f.kinds == ["a", "b"]
    assert f.event_from == "2025-03-20T04:15:00Z"
    assert (f.limit, f.empty) == (5, False)
    assert scan_filter(**_scan(kinds=[])).empty  # type: ignore[arg-type]
    assert scan_filter(**_scan(limit=0)).empty  # type: ignore[arg-type]
    assert not scan_filter(**_scan()).empty  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("kinds", "observation"),
        ("kinds", [1]),
        ("since_seq", None),
        ("since_seq", True),
        ("until_seq", -1),
        ("limit", 1.5),
        ("keyid", 5),
        ("event_to", "soon"),
        ("descending", 1),
    ],
)
def test_scan_filter_refuses(name: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        scan_filter(**_scan(**{name: value}))  # type: ignore[arg-type]
    assert info.value.field == name


@given(st.integers(-3, 12), st.integers(-3, 12), st.integers(0, 10))
def test_check_range(start: int, stop: int, size: int) -> None:
    if 0 <= start <= stop <= size:
        assert check_range(start, stop, size) == (start, stop)
    else:
        with pytest.raises(ValidationError) as info:
            check_range(start, stop, size)
        assert info.value.field in ("start", "stop")


def test_check_meta() -> None:
    check_meta("mission_id", "m-1")
    for name, value in (("", "v"), ("x" * 201, "v"), (3, "v"), ("name", None)):
        with pytest.raises(ValidationError):
            check_meta(name, value)
