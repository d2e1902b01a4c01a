"""A mission with an allegation on file and every workflow role enrolled."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest

from tests.conftest import Actors, allegation, observation, seeded
from truce.keys import Signer
from truce.mission import Mission


@dataclass
class Case:
    mission: Mission
    actors: Actors
    approver: Signer
    analyst2: Signer
    allegation: str  #: record id of party A's allegation against B
    observation: str  #: record id of a monitor's observation
    made: dict[str, str] = field(default_factory=dict)  #: records a test made once, by name


@pytest.fixture
def case(mission: Mission, actors: Actors) -> Case:
    return make_case(mission, actors)


def make_case(mission: Mission, actors: Actors) -> Case:
    """Enrol an approver and a second analyst; file an allegation and an observation."""
    approver, analyst2 = seeded("approver-01"), seeded("analyst-02")
    mission.enrol_key(approver.public_key, principal=approver.principal, role="approver")
    mission.enrol_key(analyst2.public_key, principal=analyst2.principal, role="analyst")
    filed = mission.submit_record(mission.new_record("allegation", allegation()), actors.party_a)
    seen = mission.submit_record(mission.new_record("observation", observation()), actors.monitor)
    return Case(mission, actors, approver, analyst2, filed.record_id, seen.record_id)


def verify(case: Case) -> None:
    """Acknowledge the allegation and put it under verification."""
    case.mission.step_allegation(case.allegation, "acknowledged", case.actors.analyst)
    case.mission.step_allegation(case.allegation, "under_verification", case.actors.analyst)


_DRAFTS = itertools.count(1)


def approved_finding(case: Case, *, window: int = 7) -> str:
    """A finding on the allegation, drafted by the analyst and approved by the approver."""
    draft = case.mission.draft_finding(
        case.actors.analyst,
        allegations=[case.allegation],
        observations=[case.observation],
        term=("moratorium.energy", 1),
        certainty="probable",
        outcome="breach",
        summary=f"Impact within the buffer of the power station (draft {next(_DRAFTS)}).",
        not_attributed="direction of fire not established by two independent sources",
    )
    case.mission.decide_finding(draft.record_id, case.approver, reply_window_days=window)
    return draft.record_id


def draft(case: Case, **over: object) -> str:
    """A draft finding on the allegation (fields overridable); returns its record id."""
    fields: dict[str, object] = {
        "allegations": [case.allegation],
        "term": ("moratorium.energy", 1),
        "certainty": "possible",
        "outcome": "breach",
        "summary": f"Draft finding {next(_DRAFTS)}.",
        "not_attributed": "origin of fire unknown",
    }
    fields |= over
    return case.mission.draft_finding(case.actors.analyst, **fields).record_id  # type: ignore[arg-type]
