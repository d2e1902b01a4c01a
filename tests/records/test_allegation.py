from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Allegation, parse_record

from ._examples import DELETE, H1, allegation, assert_rejected, bearing, changed, round_trip
from ._strategies import allegations


def test_valid_example() -> None:
    record = parse_record(allegation())
    assert isinstance(record, Allegation)
    assert (record.party, record.against) == ("A", "B")
    assert record.claim.term is not None
    assert record.claim.term.id == "moratorium.energy"
    assert record.claim.facility is not None
    assert record.claim.facility.id == "UKR0001234"
    assert record.claim.time.interval()[0].hour == 1


def test_minimal_claim() -> None:
    payload = changed(
        allegation(reference=DELETE, evidence=DELETE, statement=DELETE),
        "claim",
        {
            "category": "shots",
            "location": bearing(),
            "time": {"at": "2025-03-20T01:00:00Z", "precision": "hour"},
            "description": "small-arms fire towards the village",
        },
    )
    record = parse_record(payload)
    assert isinstance(record, Allegation)
    assert record.claim.facility is None
    assert record.evidence == ()


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("against", "A", "must differ from party"),
        ("party", "a", "pattern"),
        ("party", "PARTYNAMETOOLONG1", "pattern"),
        ("against", DELETE, "required"),
        ("reference", "r" * 129, "at most 128"),
        ("claim", DELETE, "required"),
        ("claim.category", "strike", "input should be"),
        ("claim.subtype", DELETE, "required for category explosion"),
        ("claim.subtype", "outgoing!", "not a subtype"),
        ("claim.location.lat", 123, "less than or equal"),
        ("claim.location.kind", "polygon", "expected one of: bearing, point"),
        ("claim.time.end", "2025-03-20T00:00:00Z", "after start"),
        ("claim.time.start", DELETE, "required"),
        ("claim.facility.layer", "", "at least 1"),
        ("claim.facility.id", DELETE, "required"),
        ("claim.facility.name", "n" * 201, "at most 200"),
        ("claim.facility.owner", "x", "extra"),
        ("claim.term.id", "Moratorium", "pattern"),
        ("claim.term.agreement_version", 0, "greater than or equal to 1"),
        ("claim.term.agreement_version", "2", "integer"),
        ("claim.casualties", -1, "greater than or equal to 0"),
        ("claim.casualties", 2.5, "integer"),
        ("claim.description", DELETE, "required"),
        ("claim.description", "\t", "blank"),
        ("claim.weapon", {"class": "tank"}, "extra"),
        ("evidence[1]", H1, "duplicate"),
        ("evidence[0]", "xyz", "pattern"),
        ("statement", "s" * 20_001, "at most 20000"),
    ],
)
def test_allegation_constraints(path: str, value: Any, reason: str) -> None:
    assert_rejected(changed(allegation(), path, value), path, reason)


def test_bearing_errors_have_json_paths() -> None:
    payload = changed(allegation(), "claim.location", bearing())
    assert_rejected(
        changed(payload, "claim.location.observer.lon", 200),
        "claim.location.observer.lon",
        "less than or equal",
    )


@given(allegations())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
