from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import ValidationError as PydanticValidationError
from pyproj import Geod

from truce.errors import ValidationError
from truce.records.common import (
    MAX_UNCERTAINTY_M,
    BearingLocation,
    PointLocation,
    TermRef,
    TimeInterval,
    TimeSpec,
    format_utc,
)
from truce.records.vocabulary import COMPASS_POINTS, DISTANCE_BANDS

from ._examples import DELETE, assert_rejected, changed, observation
from ._strategies import aware, finite

GEOD = Geod(ellps="WGS84")
Z_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


# -- times -------------------------------------------------------------------


def test_offsets_are_normalised_to_utc() -> None:
    iv = TimeInterval.model_validate_json(
        '{"start": "2025-03-20T06:15:00+02:00", "end": "2025-03-19T23:00:00-08:00"}'
    )
    assert iv.start == datetime(2025, 3, 20, 4, 15, tzinfo=UTC)
    assert iv.start.tzinfo is UTC
    assert iv.end == datetime(2025, 3, 20, 7, 0, tzinfo=UTC)
    assert iv.model_dump(mode="json") == {
        "start": "2025-03-20T04:15:00Z",
        "end": "2025-03-20T07:00:00Z",
    }


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-03-20T04:15:00", "timezone"),
        ("1899-12-31T23:59:59Z", "between 1900"),
        ("3000-01-01T00:00:00Z", "between 1900"),
        ("yesterday", "datetime"),
        (1742444100, "datetime"),
    ],
)
def test_bad_times_are_rejected(value: Any, reason: str) -> None:
    assert_rejected(changed(observation(), "signed_at", value), "signed_at", reason)


def test_format_utc_examples() -> None:
    assert format_utc(datetime(2025, 3, 20, 4, 15, tzinfo=UTC)) == "2025-03-20T04:15:00Z"
    tz = timezone(timedelta(hours=-5))
    assert format_utc(datetime(2025, 3, 20, 4, 15, 0, 120, tzinfo=tz)) == (
        "2025-03-20T09:15:00.000120Z"
    )
    with pytest.raises(ValidationError):
        format_utc(datetime(2025, 3, 20))


@given(aware)
def test_format_utc_round_trips(dt: datetime) -> None:
    text = format_utc(dt)
    assert Z_FORMAT.match(text)
    back = TimeInterval.model_validate_json(
        f'{{"start": "{text}", "end": "{format_utc(dt + timedelta(seconds=1))}"}}'
    ).start
    assert back == dt
    assert back.tzinfo is UTC
    assert format_utc(back) == text


# -- identifiers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("mission", "smm-east\n"),  # a trailing newline does not sneak past '$'
        ("evidence[0]", "A" * 64),
        ("evidence[0]", "a" * 63),
        ("observed_by.monitor", "m 107"),
        ("observed_by.monitor", "-m107"),
        ("observed_by.team", ""),
        ("observed_by.team", "   "),
        ("observed_by.team", "t" * 65),
    ],
)
def test_identifier_patterns(path: str, value: str) -> None:
    assert_rejected(changed(observation(), path, value), path)


@pytest.mark.parametrize("term_id", ["Ceasefire", ".general", "a..b", "a.", "1abc", "a b"])
def test_term_id_pattern(term_id: str) -> None:
    with pytest.raises(PydanticValidationError):
        TermRef.model_validate_json(f'{{"id": "{term_id}", "agreement_version": 1}}')


def test_term_ref_accepts_dotted_ids() -> None:
    ref = TermRef.model_validate_json('{"id": "withdrawal.heavy-weapons", "agreement_version": 3}')
    assert ref.agreement_version == 3


# -- locations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("location.lon", 180.0001, "less than or equal"),
        ("location.lon", -181, "greater than or equal"),
        ("location.lat", 90.5, "less than or equal"),
        ("location.uncertainty_m", -1, "greater than or equal"),
        ("location.uncertainty_m", 500_001, "less than or equal"),
        ("location.lat", "48.0", "number"),
        ("location.lat", DELETE, "required"),
        ("location.kind", "area", "expected one of"),
        ("location.kind", DELETE, "required; expected one of: bearing, point"),
        ("location.altitude", 5, "extra"),
    ],
)
def test_point_constraints(path: str, value: Any, reason: str) -> None:
    assert_rejected(changed(observation(), path, value), path, reason)


def test_nan_and_infinity_are_rejected() -> None:
    from truce.records import parse_record

    raw = '{"kind": "point", "lon": NaN, "lat": Infinity}'
    text = re.sub(r'"location": \{[^}]*\}', f'"location": {raw}', _dumps(observation()))
    with pytest.raises(ValidationError) as info:
        parse_record(text)
    assert {e.field for e in info.value.errors} == {"location.lon", "location.lat"}


def _dumps(payload: dict[str, Any]) -> str:
    import json

    return json.dumps(payload)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("location.direction", "NORTH"),
        ("location.distance_band", "2-4km"),
        ("location.observer.lat", -91),
        ("location.observer", {"lon": 1, "lat": 2}),  # the observer is a point: kind optional
    ],
)
def test_bearing_constraints(path: str, value: Any) -> None:
    payload = changed(
        observation(),
        "location",
        {
            "kind": "bearing",
            "observer": {"kind": "point", "lon": 37.7, "lat": 48.0},
            "direction": "NE",
            "distance_band": "3-5km",
        },
    )
    bad = changed(payload, path, value)
    if path == "location.observer":
        from truce.records import Observation, parse_record

        record = parse_record(_dumps(bad))
        assert isinstance(record, Observation)
        assert isinstance(record.location, BearingLocation)
    else:
        assert_rejected(bad, path)


def test_bearing_estimate_example() -> None:
    loc = BearingLocation(
        observer=PointLocation(lon=30.0, lat=50.0, uncertainty_m=20),
        direction="N",
        distance_band="0-1km",
    )
    est = loc.estimate()
    assert est.kind == "point"
    assert est.lon == pytest.approx(30.0, abs=1e-9)
    assert est.lat == pytest.approx(50.0 + 500 / 111_229, abs=1e-4)
    lateral = 1000 * math.sin(math.radians(11.25))
    assert est.uncertainty_m == pytest.approx(500 + 20 + lateral)


def test_far_band_counts_as_20_to_40_km() -> None:
    loc = BearingLocation(
        observer=PointLocation(lon=36.0, lat=48.0), direction="E", distance_band=">20km"
    )
    est = loc.estimate()
    _, _, dist = GEOD.inv(36.0, 48.0, est.lon, est.lat)
    assert dist == pytest.approx(30_000, abs=1e-3)
    assert est.uncertainty_m == pytest.approx(10_000 + 40_000 * math.sin(math.radians(11.25)))


def test_estimate_uncertainty_is_capped() -> None:
    loc = BearingLocation(
        observer=PointLocation(lon=36.0, lat=48.0, uncertainty_m=MAX_UNCERTAINTY_M),
        direction="SW",
        distance_band="10-20km",
    )
    assert loc.estimate().uncertainty_m == MAX_UNCERTAINTY_M


@given(
    finite(-180, 180),
    finite(-80, 80),
    finite(0, 1000),
    st.sampled_from(COMPASS_POINTS),
    st.sampled_from(DISTANCE_BANDS),
)
def test_estimate_lies_on_the_bearing_at_mid_band(
    lon: float, lat: float, unc: float, direction: str, band: str
) -> None:
    loc = BearingLocation.model_validate(
        {
            "observer": {"lon": lon, "lat": lat, "uncertainty_m": unc},
            "direction": direction,
            "distance_band": band,
        }
    )
    est = loc.estimate()
    near, far = {">20km": (20, 40)}.get(band) or tuple(
        float(x) for x in band.removesuffix("km").split("-")
    )
    azimuth, _, dist = GEOD.inv(lon, lat, est.lon, est.lat)
    assert dist == pytest.approx((near + far) / 2 * 1000, rel=1e-9, abs=1e-3)
    expected_az = COMPASS_POINTS.index(direction) * 22.5
    assert (azimuth - expected_az + 180) % 360 - 180 == pytest.approx(0, abs=1e-6)
    lateral = far * 1000 * math.sin(math.radians(11.25))
    assert est.uncertainty_m == pytest.approx((far - near) / 2 * 1000 + unc + lateral)
    assert -180 <= est.lon <= 180


# -- time specs ----------------------------------------------------------------


def _spec(**fields: Any) -> TimeSpec:
    import json

    return TimeSpec.model_validate_json(json.dumps(fields))


def test_precision_defaults_to_minute() -> None:
    spec = _spec(at="2025-03-20T04:15:00Z")
    assert spec.precision == "minute"
    assert spec.interval() == (
        datetime(2025, 3, 20, 4, 15, tzinfo=UTC),
        datetime(2025, 3, 20, 4, 16, tzinfo=UTC),
    )
    assert _spec(start="2025-03-20T04:15:00Z", end="2025-03-20T05:00:00Z").precision is None


@pytest.mark.parametrize(
    ("precision", "at", "end"),
    [
        ("second", "2025-03-20T04:15:07Z", datetime(2025, 3, 20, 4, 15, 8, tzinfo=UTC)),
        ("hour", "2025-03-20T04:15:00Z", datetime(2025, 3, 20, 5, 15, tzinfo=UTC)),
        ("day", "2025-03-20T04:15:00Z", datetime(2025, 3, 21, 4, 15, tzinfo=UTC)),
        ("week", "2025-03-20T00:00:00Z", datetime(2025, 3, 27, tzinfo=UTC)),
        ("month", "2024-01-31T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
        ("month", "2025-01-31T00:00:00Z", datetime(2025, 2, 28, tzinfo=UTC)),
        ("month", "2025-12-15T10:00:00Z", datetime(2026, 1, 15, 10, tzinfo=UTC)),
    ],
)
def test_interval_per_precision(precision: str, at: str, end: datetime) -> None:
    spec = _spec(at=at, precision=precision)
    start, stop = spec.interval()
    assert start == spec.at
    assert stop == end


@pytest.mark.parametrize(
    ("fields", "path", "reason"),
    [
        ({}, "time", "give either"),
        ({"precision": "day"}, "time.precision", "only allowed together with 'at'"),
        ({"at": "2025-03-20T04:15:00Z", "start": "2025-03-20T04:15:00Z"}, "time.start", "not"),
        ({"at": "2025-03-20T04:15:00Z", "precision": None}, "time.precision", "one of"),
        ({"at": "2025-03-20T04:15:00Z", "precision": "year"}, "time.precision", "input"),
        ({"start": "2025-03-20T04:15:00Z"}, "time.end", "required"),
        ({"end": "2025-03-20T04:15:00Z"}, "time.start", "required"),
        ({"start": "2025-03-20T05:00:00Z", "end": "2025-03-20T05:00:00Z"}, "time.end", "after"),
        ({"start": "2025-03-20T05:00:00Z", "end": "2025-03-20T04:00:00Z"}, "time.end", "after"),
        ({"at": "2025-03-20T04:15:00"}, "time.at", "timezone"),
        ({"at": "2025-03-20T04:15:00Z", "tz": "UTC"}, "time.tz", "extra"),
    ],
)
def test_time_spec_forms(fields: dict[str, Any], path: str, reason: str) -> None:
    assert_rejected(changed(observation(), "time", fields), path, reason)


@given(aware, st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=999)))
def test_interval_form_is_returned_as_given(start: datetime, length: timedelta) -> None:
    spec = TimeSpec(start=start, end=start + length)
    assert spec.interval() == (start, start + length)
    assert spec.interval()[0] < spec.interval()[1]
