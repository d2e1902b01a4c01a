from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given

from truce.records import event_time, parse_record, sealed_paths, subject, summary

from ._examples import (
    DELETE,
    H1,
    H2,
    H3,
    KEY1,
    VALID,
    allegation,
    bearing,
    finding,
    observation,
)
from ._strategies import any_payload


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("observation", datetime(2025, 3, 20, 4, 15, tzinfo=UTC)),
        ("allegation", datetime(2025, 3, 20, 1, 0, tzinfo=UTC)),
        ("patrol_track", datetime(2025, 3, 20, 3, 0, tzinfo=UTC)),
        ("camera_uptime", datetime(2025, 3, 19, 0, 0, tzinfo=UTC)),
        ("denied_access", datetime(2025, 3, 20, 2, 10, tzinfo=UTC)),
        ("evidence", datetime(2025, 3, 20, 4, 16, tzinfo=UTC)),
        ("finding", None),
        ("correction", None),
        ("correspondence", None),
        ("key", None),
        ("agreement", None),
    ],
)
def test_event_time(kind: str, expected: datetime | None) -> None:
    assert event_time(parse_record(VALID[kind]())) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("key", KEY1),
        ("agreement", "energy-moratorium@2"),
        ("correction", H1),
        ("finding", H1),
        ("correspondence", H2),
        ("correspondence_opener", None),
        ("acknowledgement", H1),
        ("link", H1),
        ("release", H3),
        ("access", None),
        ("disclosure", H1),
        ("observation", None),
        ("allegation", None),
        ("evidence", None),
        ("patrol_track", None),
    ],
)
def test_subject(kind: str, expected: str | None) -> None:
    assert subject(parse_record(VALID[kind]())) == expected


def test_subject_of_a_finding_without_allegations() -> None:
    assert subject(parse_record(finding(allegations=DELETE))) == H2


def test_sealed_paths() -> None:
    assert sealed_paths(parse_record(observation())) == ("observed_by.monitor",)
    assert sealed_paths(parse_record(observation(sealed=DELETE))) == ()
    assert sealed_paths(parse_record(allegation())) == ()


def test_observation_summary_example() -> None:
    assert summary(parse_record(observation())) == (
        "explosion/impact ×3 at 48.012N 37.802E ±500 m, 2025-03-20 04:15Z (patrol)"
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            observation(
                category="weapon_sighting",
                subtype=DELETE,
                count=1,
                weapon={"class": "tank", "type": "T-72", "count": 4},
                location={"kind": "point", "lon": -3.5, "lat": -12.25, "uncertainty_m": 25_000},
                time={"at": "2025-03-20T00:00:00Z", "precision": "day"},
            ),
            "weapon_sighting tank T-72 (4) at 12.250S 3.500W ±25 km, 2025-03-20 (patrol)",
        ),
        (
            observation(location=bearing(), synthetic=True, source="synthetic"),
            "[synthetic] explosion/impact ×3 at NE 3-5km of 48.000N 37.700E, "
            "2025-03-20 04:15Z (patrol)",
        ),
        (
            allegation(),
            "A against B: explosion/impact at 47.510N 33.370E ±1000 m, "
            "2025-03-20 01:00–02:00Z [moratorium.energy]",
        ),
        (VALID["key"](), f"key enrol {KEY1} party party-a.liaison"),
        (VALID["agreement"](), "agreement energy-moratorium version 2"),
        (VALID["correspondence"](), "A → B: Repair window at the substation"),
    ],
)
def test_summary_examples(payload: dict[str, Any], expected: str) -> None:
    assert summary(parse_record(payload)) == expected


def test_summary_never_shows_monitor_or_team() -> None:
    unsealed = observation(
        sealed=DELETE, observed_by={"source": "uav", "team": "T-3", "monitor": "m-107"}
    )
    text = summary(parse_record(unsealed))
    assert "m-107" not in text
    assert "T-3" not in text


@given(any_payload)
def test_summary_is_one_short_line(payload: dict[str, Any]) -> None:
    text = summary(parse_record(payload))
    assert 0 < len(text) <= 120
    assert "\n" not in text
    assert "\r" not in text
