"""Plain-JSON normalisation, field paths and ISO-8601 time values."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.agreement._document import (
    MAX_DEPTH,
    format_path,
    join_path,
    normalise,
    parse_date,
    parse_datetime,
)
from truce.errors import ValidationError


def test_format_path() -> None:
    assert format_path(["terms", 2, "radius_km"]) == "terms[2].radius_km"
    assert format_path([]) == ""
    assert format_path([0, "a", 1, 2]) == "[0].a[1][2]"


def test_join_path() -> None:
    assert join_path("terms[2]", "period", "end") == "terms[2].period.end"
    assert join_path("", "a", 0) == "a[0]"
    assert join_path("a", 3) == "a[3]"
    assert join_path("a") == "a"


keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=5)


@given(st.lists(st.one_of(keys, st.integers(0, 99)), max_size=8))
def test_format_path_is_join_of_parts(parts: list[str | int]) -> None:
    expected = ""
    for p in parts:
        expected = join_path(expected, p)
    assert format_path(parts) == expected
    assert format_path(parts).count("[") == sum(isinstance(p, int) for p in parts)


def test_parse_datetime_requires_offset() -> None:
    with pytest.raises(ValueError, match="needs a UTC offset"):
        parse_datetime("2025-03-18T00:00:00")
    with pytest.raises(ValueError, match="not an ISO-8601 date-time"):
        parse_datetime("18/03/2025 00:00+02:00")
    with pytest.raises(ValueError, match="not an ISO-8601 date-time"):
        parse_datetime("2025-03-18")
    with pytest.raises(ValueError, match="not a valid date-time"):
        parse_datetime("2025-02-30T00:00:00+02:00")


def test_parse_datetime_keeps_the_offset() -> None:
    dt = parse_datetime("2025-03-18T00:00:00+02:00")
    assert dt.utcoffset() == timedelta(hours=2)
    assert dt.isoformat() == "2025-03-18T00:00:00+02:00"
    assert parse_datetime("2025-03-18 06:30Z").isoformat() == "2025-03-18T06:30:00+00:00"


offsets = st.integers(-14 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets)
)
def test_parse_datetime_round_trips_isoformat(dt: datetime) -> None:
    parsed = parse_datetime(dt.isoformat())
    assert parsed == dt
    assert parsed.isoformat() == dt.isoformat()


def test_parse_date() -> None:
    assert parse_date("2025-03-11") == date(2025, 3, 11)
    with pytest.raises(ValueError, match="not an ISO-8601 date"):
        parse_date("2025-03-11T00:00:00+00:00")
    with pytest.raises(ValueError, match="not a valid date"):
        parse_date("2025-13-01")


def test_normalise_turns_dates_into_iso_strings() -> None:
    doc = {
        "signed": date(2025, 3, 11),
        "at": datetime(2025, 3, 18, tzinfo=timezone(timedelta(hours=2))),
        "naive": datetime(2025, 3, 18),
        "list": (1, 2.5, True, None, "x"),
    }
    assert normalise(doc, source="s") == {
        "signed": "2025-03-11",
        "at": "2025-03-18T00:00:00+02:00",
        "naive": "2025-03-18T00:00:00",
        "list": [1, 2.5, True, None, "x"],
    }


@pytest.mark.parametrize(
    ("doc", "field", "fragment"),
    [
        ({"a": [1, {"b": math.nan}]}, "a[1].b", "finite"),
        ({"a": math.inf}, "a", "finite"),
        ({"a": {1: "x"}}, "a", "keys must be strings"),
        ({"a": {1, 2}}, "a", "unsupported value of type set"),
        ({"a": [b"bytes"]}, "a[0]", "unsupported value of type bytes"),
    ],
)
def test_normalise_rejects_non_json(doc: Any, field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise(doc, source="file.yaml")
    assert info.value.field == field
    assert fragment in info.value.reason
    assert info.value.source == "file.yaml"


def test_normalise_limits_depth() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(ValidationError, match="nested more than"):
        normalise(deep, source=None)


def test_opaque_subtrees_are_checked_by_the_json_codec() -> None:
    def opaque(path: Any) -> bool:
        return list(path) == ["g", "inline"]

    doc = {"g": {"inline": {"type": "Point", "coordinates": [1, 2]}}}
    out = normalise(doc, source=None, opaque=opaque)
    assert out == doc
    assert out["g"]["inline"] is not doc["g"]["inline"]
    with pytest.raises(ValidationError) as info:
        normalise({"g": {"inline": {"c": [math.nan]}}}, source=None, opaque=opaque)
    assert info.value.field == "g.inline"
    assert "finite" in info.value.reason
    with pytest.raises(ValidationError, match="plain JSON"):
        normalise({"g": {"inline": {"c": datetime.now(UTC)}}}, source=None, opaque=opaque)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_normalise_is_identity_on_plain_json(value: Any) -> None:
    assert normalise(value, source=None) == value
    assert normalise(normalise(value, source=None), source=None) == value
