from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import (
    BearingLocation,
    Observation,
    PointLocation,
    parse_record,
    to_payload_dict,
)

from ._examples import DELETE, H1, H2, assert_rejected, changed, observation, round_trip
from ._strategies import observations


def test_valid_example() -> None:
    record = parse_record(observation())
    assert isinstance(record, Observation)
    assert record.category == "explosion"
    assert record.subtype == "impact"
    assert record.count == 3
    assert isinstance(record.location, PointLocation)
    assert record.location.uncertainty_m == 500
    assert record.observed_by.monitor is None  # sealed: only its commitment is signed
    assert record.evidence == (H1,)
    assert record.sealed == {"observed_by.monitor": H2}


def test_weapon_uses_the_json_key_class() -> None:
    payload = observation(
        category="weapon_sighting",
        subtype=DELETE,
        weapon={"class": "tank", "type": "T-72", "count": 4},
    )
    record = parse_record(payload)
    assert isinstance(record, Observation)
    assert record.weapon is not None
    assert record.weapon.weapon_class == "tank"
    assert to_payload_dict(record)["weapon"] == {"class": "tank", "type": "T-72", "count": 4}


def test_bearing_location_and_defaults() -> None:
    payload = changed(
        observation(),
        "location",
        {
            "kind": "bearing",
            "observer": {"kind": "point", "lon": 37.7, "lat": 48.0},
            "direction": "NNW",
            "distance_band": "5-10km",
        },
    )
    for name in ("count", "evidence", "sealed", "description"):
        del payload[name]
    record = parse_record(payload)
    assert isinstance(record, Observation)
    assert isinstance(record.location, BearingLocation)
    assert record.count == 1
    assert record.evidence == ()
    assert record.sealed is None
    assert record.location.estimate().lat > 48.0


def test_a_sealed_field_carries_no_value() -> None:
    payload = observation(observed_by={"source": "patrol", "monitor": "m-107"})
    assert_rejected(payload, "sealed.observed_by.monitor", "commitment, not its value")
    assert_rejected(observation(sealed={"evidence": H1}), "sealed.evidence", "not its value")
    assert parse_record(observation(sealed={"evidence": H1}, evidence=[]))


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("category", "shelling", "input should be"),
        ("category", DELETE, "required"),
        ("subtype", DELETE, "required for category explosion"),
        ("subtype", "denied", "not a subtype of explosion"),
        ("subtype", "x" * 33, "at most 32"),
        ("count", 0, "greater than or equal to 1"),
        ("count", 100_001, "less than or equal"),
        ("count", "3", "integer"),
        ("count", 3.0, "integer"),
        ("count", True, "integer"),
        ("weapon", {"class": "catapult"}, ""),
        ("observed_by.source", "drone", "input should be"),
        ("observed_by.source", DELETE, "required"),
        ("observed_by.monitor", "Anna Petrova", "pattern"),
        ("observed_by.name", "x", "extra"),
        ("description", "d" * 10_001, "at most 10000"),
        ("description", "   ", "blank"),
        ("evidence", [H1] * 101, "at most 100"),
        ("evidence", [H1, H1], ""),
        ("evidence", H1, "valid array"),
        ("sealed", {"observed_by.source": H1}, ""),
        ("sealed", {"location": H1}, ""),
        ("sealed", {"description": "abc"}, "pattern"),
        ("sealed", ["observed_by.monitor"], "object"),
        ("time", DELETE, "required"),
        ("location", DELETE, "required"),
        ("colour", "red", "extra"),
    ],
)
def test_observation_constraints(path: str, value: Any, reason: str) -> None:
    expected_path = {
        "weapon": "weapon.class",
        "evidence": "evidence[1]" if value == [H1, H1] else "evidence",
        "sealed": "sealed"
        if isinstance(value, list)
        else f"sealed.{next(iter(value))}"
        if isinstance(value, dict)
        else "sealed",
    }.get(path, path)
    assert_rejected(changed(observation(), path, value), expected_path, reason)


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"category": "muzzle_flash"}, "subtype", "takes no subtype"),
        ({"category": "restriction_of_movement"}, "subtype", "not a subtype"),
        ({"category": "weapon_sighting", "subtype": DELETE}, "weapon", "required"),
        ({"weapon": {"class": "mlrs", "count": 0}}, "weapon.count", "greater than"),
        ({"weapon": {"class": "mlrs", "weapon_class": "mlrs"}}, "weapon.weapon_class", "extra"),
        ({"weapon": {"weapon_class": "mlrs"}}, "weapon.class", "required"),
        ({"weapon": {"class": "mlrs", "type": "t" * 101}}, "weapon.type", "at most 100"),
    ],
)
def test_cross_field_rules(changes: dict[str, Any], path: str, reason: str) -> None:
    assert_rejected(observation(**changes), path, reason)


def test_weapon_is_optional_for_other_categories() -> None:
    record = parse_record(observation(weapon={"class": "artillery_100mm_plus"}))
    assert isinstance(record, Observation)
    assert record.weapon is not None
    assert record.weapon.count == 1


@given(observations())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
