"""The allegation state machine, through the facade: every legal and illegal step."""

from __future__ import annotations

import itertools

import pytest

from tests.intake.test_gate import refused
from tests.workflow.conftest import Case, approved_finding, draft, verify
from truce.errors import Conflict, ValidationError
from truce.records import OUTCOMES, STEP_STATES
from truce.workflow import NEXT_STATES, RECEIVED

PATHS = {
    RECEIVED: [],
    "acknowledged": ["acknowledged"],
    "under_verification": ["acknowledged", "under_verification"],
    **{o: ["acknowledged", "under_verification", o] for o in OUTCOMES},
}


def _reach(case: Case, state: str) -> None:
    """Drive the allegation to ``state`` by legal steps."""
    for step in PATHS[state]:
        _step(case, step)


def _step(case: Case, state: str, finding: str | None = None) -> object:
    m, analyst = case.mission, case.actors.analyst
    if state == "confirmed":
        finding = finding or approved_finding(case)
        return m.step_allegation(case.allegation, state, analyst, finding=finding)
    reason = "insufficient_evidence" if state in ("not_confirmed", "unable_to_verify") else None
    return m.step_allegation(case.allegation, state, analyst, reason=reason)


def test_the_machine_is_the_documented_one() -> None:
    assert set(NEXT_STATES) == {RECEIVED, *STEP_STATES}
    assert NEXT_STATES[RECEIVED] == ("acknowledged",)
    assert NEXT_STATES["under_verification"] == OUTCOMES
    assert all(NEXT_STATES[o] == () for o in OUTCOMES)


@pytest.mark.parametrize(
    ("current", "target"), list(itertools.product([RECEIVED, *STEP_STATES], STEP_STATES))
)
def test_every_transition(case: Case, current: str, target: str) -> None:
    _reach(case, current)
    assert case.mission.history(case.allegation).state == current
    if target in NEXT_STATES[current]:
        _step(case, target)
        assert case.mission.history(case.allegation).state == target
    else:
        finding = approved_finding(case) if target == "confirmed" else None
        err = refused(case.mission, Conflict, lambda: _step(case, target, finding))
        assert f"is {current}" in str(err)
        assert case.mission.history(case.allegation).state == current


def test_outcome_reasons_come_from_the_fixed_list(case: Case) -> None:
    verify(case)
    m = case.mission
    err = refused(
        m,
        ValidationError,
        lambda: m.step_allegation(case.allegation, "not_confirmed", case.actors.analyst),
    )
    assert "reason" in str(err.to_dict())
    refused(
        m,
        ValidationError,
        lambda: m.step_allegation(
            case.allegation, "unable_to_verify", case.actors.analyst, reason="too busy"
        ),
    )


def test_confirmation_needs_an_approved_finding_citing_the_allegation(case: Case) -> None:
    verify(case)
    m = case.mission
    found = draft(case)
    err = refused(
        m,
        ValidationError,
        lambda: m.step_allegation(case.allegation, "confirmed", case.actors.analyst, finding=found),
    )
    assert "approved finding" in str(err)


def test_tasks_only_while_under_verification(case: Case) -> None:
    m = case.mission
    refused(
        m,
        Conflict,
        lambda: m.add_task(
            case.allegation, "patrol_request", "Patrol to the site.", case.actors.analyst
        ),
    )
    verify(case)
    m.add_task(case.allegation, "camera_review", "Review camera C-12.", case.actors.analyst)
    kinds = [e.relation for e in m.history(case.allegation).events]
    assert kinds == ["record", "step", "step", "task"]


def test_a_corrected_outcome_reopens_verification(case: Case) -> None:
    verify(case)
    m = case.mission
    wrong = _step(case, "not_confirmed")
    m.submit_record(
        m.new_record(
            "correction",
            {"supersedes": wrong.record_id, "reason": "evidence arrived late"},  # type: ignore[attr-defined]
        ),
        case.actors.analyst,
    )
    history = m.history(case.allegation)
    assert history.state == "under_verification"
    assert [e.withdrawn for e in history.events if e.relation == "step"] == [False, False, True]
    _step(case, "confirmed")
    assert m.history(case.allegation).state == "confirmed"
