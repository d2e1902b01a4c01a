"""Shared fixtures: a small mission with enrolled keys, built through the facade."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from truce.keys import Signer
from truce.mission import Mission

#: A fixed "now" after the example agreement's period, so 2025 events are in the past.
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@dataclass
class Actors:
    admin: Signer
    monitor: Signer
    monitor2: Signer
    analyst: Signer
    party_a: Signer
    party_b: Signer


def seeded(principal: str) -> Signer:
    return Signer.from_seed(principal, principal.encode().ljust(32, b"\0")[:32])


def new_mission(path: Path) -> Mission:
    """A fresh mission whose clock reads :data:`NOW`."""
    admin = seeded("mission-admin")
    return Mission.create(path, mission_id="test-mission", admin=admin, clock=lambda: NOW)


@pytest.fixture
def mission(tmp_path: Path) -> Iterator[Mission]:
    m = new_mission(tmp_path / "m")
    yield m
    m.close()


@pytest.fixture
def actors(mission: Mission) -> Actors:
    return enrol_actors(mission)


def enrol_actors(mission: Mission) -> Actors:
    """Enrol the usual monitor, analyst and party keys in ``mission``."""
    a = Actors(
        admin=seeded("mission-admin"),
        monitor=seeded("monitor-01"),
        monitor2=seeded("monitor-02"),
        analyst=seeded("analyst-01"),
        party_a=seeded("party-a"),
        party_b=seeded("party-b"),
    )
    for signer, role, party in (
        (a.monitor, "monitor", None),
        (a.monitor2, "monitor", None),
        (a.analyst, "analyst", None),
        (a.party_a, "party", "A"),
        (a.party_b, "party", "B"),
    ):
        mission.enrol_key(signer.public_key, principal=signer.principal, role=role, party=party)
    return a


def observation(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "observation",
        "category": "explosion",
        "subtype": "impact",
        "count": 2,
        "location": {"kind": "point", "lon": 37.802, "lat": 48.012, "uncertainty_m": 500},
        "time": {"at": "2025-03-20T04:15:00Z", "precision": "minute"},
        "observed_by": {"source": "patrol", "team": "team-01"},
        "signed_at": "2025-03-20T05:00:00Z",
    }
    body.update(over)
    return body


def allegation(party: str = "A", against: str = "B", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "allegation",
        "party": party,
        "against": against,
        "claim": {
            "category": "explosion",
            "subtype": "impact",
            "location": {"kind": "point", "lon": 35.08, "lat": 47.51, "uncertainty_m": 1000},
            "time": {"at": "2025-03-21T02:00:00Z", "precision": "hour"},
            "facility": {"layer": "gppd", "id": "WRI1005101", "name": "Zaporizhia power station"},
            "term": {"id": "moratorium.energy", "agreement_version": 1},
            "description": "Strike on the power station.",
        },
        "signed_at": "2025-03-21T08:00:00Z",
    }
    body.update(over)
    return body
