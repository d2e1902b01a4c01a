"""allegation_step and verification_task: outcome reasons, cited findings, deadlines."""

from __future__ import annotations

import pytest

from truce.records import OUTCOME_REASONS, parse_record

from ._examples import H1, allegation_step, assert_rejected, round_trip, verification_task


def test_round_trips() -> None:
    round_trip(allegation_step())
    round_trip(allegation_step(state="confirmed", reason=None, finding=H1))
    round_trip(verification_task())


@pytest.mark.parametrize("state", ["not_confirmed", "unable_to_verify"])
def test_negative_outcomes_need_a_reason_from_the_list(state: str) -> None:
    assert_rejected(allegation_step(state=state, reason=None), "reason", "required")
    assert_rejected(allegation_step(state=state, reason="too busy"), "reason")
    for reason in OUTCOME_REASONS:
        assert parse_record(allegation_step(state=state, reason=reason))


def test_confirmed_cites_its_finding_and_gives_no_reason() -> None:
    assert_rejected(allegation_step(state="confirmed", reason=None), "finding", "required")
    assert_rejected(allegation_step(state="confirmed", finding=H1), "reason")


def test_only_outcomes_cite_a_finding() -> None:
    assert_rejected(
        allegation_step(state="acknowledged", reason=None, finding=H1), "finding", "outcome"
    )


def test_unknown_state_is_refused() -> None:
    assert_rejected(allegation_step(state="closed"), "state")


def test_an_evidence_request_has_a_deadline() -> None:
    assert_rejected(verification_task(due=None), "due", "deadline")
    assert parse_record(verification_task(task="patrol_request", due=None))
