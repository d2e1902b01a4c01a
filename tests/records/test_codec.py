from __future__ import annotations

import doctest
import json
import re
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import truce.records
from truce.errors import ValidationError
from truce.records import (
    RECORD_TYPES,
    Observation,
    loc_to_path,
    parse_record,
    to_payload_dict,
)

from ._examples import VALID, changed, observation, reject
from ._strategies import any_payload

Z_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


def test_record_types_are_keyed_by_their_type_literal() -> None:
    for name, model in RECORD_TYPES.items():
        assert typing.get_args(model.model_fields["type"].annotation) == (name,)
    assert sorted(RECORD_TYPES) == sorted(
        [
            "observation",
            "coverage",
            "allegation",
            "finding",
            "correction",
            "evidence",
            "correspondence",
            "key",
            "agreement",
            "allegation_step",
            "verification_task",
            "approval",
            "reply",
            "link",
            "acknowledgement",
            "access",
            "release",
            "disclosure",
        ]
    )


@pytest.mark.parametrize("kind", sorted(VALID))
def test_bytes_text_and_mapping_parse_alike(kind: str) -> None:
    payload = VALID[kind]()
    text = json.dumps(payload)
    from_bytes = parse_record(text.encode())
    assert parse_record(text) == from_bytes
    assert parse_record(payload) == from_bytes
    assert type(from_bytes) is RECORD_TYPES[payload["type"]]


def test_mapping_may_hold_aware_datetimes() -> None:
    tz = timezone(timedelta(hours=3))
    record = parse_record(observation(signed_at=datetime(2025, 3, 20, 8, 0, tzinfo=tz)))
    assert record.signed_at == datetime(2025, 3, 20, 5, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="UTC offset"):
        parse_record(observation(signed_at=datetime(2025, 3, 20)))
    with pytest.raises(ValidationError, match="not JSON-representable"):
        parse_record(observation(evidence={1, 2}))


def test_unsupported_payload_type() -> None:
    with pytest.raises(ValidationError, match="not int"):
        parse_record(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        (b'{"type": "observation",', "", "not valid JSON: EOF"),
        (b"", "", "not valid JSON"),
        (b'{"type": "\xff"}', "", "not valid JSON"),
        (b"[1, 2]", "", "must be a JSON object"),
        (b'"observation"', "", "must be a JSON object"),
        (b'{"mission": "smm-east"}', "type", "missing record type; known types: observation"),
        (b'{"type": "report"}', "type", "unknown record type 'report'; known types:"),
        (b'{"type": 7}', "type", "known types"),
    ],
)
def test_envelope_level_errors(payload: bytes, field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_record(payload, source="upload.json")
    err = info.value
    assert err.field == field
    assert reason in err.reason
    assert err.source == "upload.json"
    assert err.to_dict()["error"]["code"] == "validation_error"


def test_all_errors_are_reported_with_paths() -> None:
    payload = observation(count=0, colour="red")
    payload = changed(payload, "location.lat", 91)
    payload = changed(payload, "time.at", "2025-03-20T04:15:00")
    payload = changed(payload, "evidence", ["x", "a" * 64])
    err = reject(payload)
    assert {e.field for e in err.errors} == {
        "count",
        "colour",
        "location.lat",
        "time.at",
        "evidence[0]",
    }
    assert "(and 4 more)" in err.message
    assert len(err.to_dict()["error"]["errors"]) == 5


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("observation", "location", "point", "lat"), "location.lat"),
        (("observation", "location", "bearing", "observer", "lat"), "location.observer.lat"),
        (("coverage", "track", 3, "t"), "track[3].t"),
        (("coverage", "location", "lat"), "location.lat"),
        (("allegation", "claim", "location", "point", "lon"), "claim.location.lon"),
        (("finding", "attribution", "attributed", "basis"), "attribution.basis"),
        (("finding", "attribution", "not_attributed", "reason"), "attribution.reason"),
        (("agreement", "document", "terms", 0, "point"), "document.terms[0].point"),
        (("observation", "evidence", 2), "evidence[2]"),
        (("key",), ""),
        ((), ""),
    ],
)
def test_loc_to_path(loc: tuple[str | int, ...], path: str) -> None:
    assert loc_to_path(loc) == path


def test_loc_to_path_without_record_tag() -> None:
    assert loc_to_path(("evidence", 2), record_tag=False) == "evidence[2]"
    assert loc_to_path(("location", "point", "lat"), record_tag=False) == "location.lat"


@given(any_payload)
def test_round_trip_every_type(payload: dict[str, Any]) -> None:
    record = parse_record(payload)
    out = to_payload_dict(record)
    again = parse_record(json.dumps(out))
    assert again == record
    assert to_payload_dict(again) == out
    assert Z_FORMAT.match(out["signed_at"])
    assert None not in out.values()


def test_payload_dict_spelling() -> None:
    record = parse_record(observation(signed_at="2025-03-20T07:00:00.250000+02:00"))
    out = to_payload_dict(record)
    assert out["signed_at"] == "2025-03-20T05:00:00.250000Z"
    assert out["time"] == {"at": "2025-03-20T04:15:00Z", "precision": "minute"}
    assert "note" not in out
    assert isinstance(record, Observation)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_only_raise_validation_errors(data: bytes) -> None:
    errors: tuple[object, ...] | None = None
    try:
        parse_record(data)
    except ValidationError as exc:
        errors = exc.errors
    assert errors is None or len(errors) > 0


@given(st.sampled_from(sorted(VALID)), st.data())
def test_damaged_payloads_only_raise_validation_errors(kind: str, data: st.DataObject) -> None:
    payload = VALID[kind]()
    key = data.draw(st.sampled_from(sorted(payload)))
    value = data.draw(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text(max_size=5)
        | st.lists(st.integers(), max_size=2)
        | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    )
    payload[key] = value
    try:
        record = parse_record(json.dumps(payload))
    except ValidationError as exc:
        errors = exc.errors
    else:
        errors = ()
        assert to_payload_dict(record)["type"] == payload["type"]
    assert all(isinstance(e.field, str) and e.reason for e in errors)


def test_package_docstring_example() -> None:
    result = doctest.testmod(truce.records, raise_on_error=False, verbose=False)
    assert result.attempted >= 3
    assert result.failed == 0
