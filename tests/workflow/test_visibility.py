"""What each reader sees: parties never see the other's unpublished filings or sealed fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import NOW, allegation, observation
from tests.workflow.conftest import Case, approved_finding, draft
from truce.errors import AuthError
from truce.workflow.visibility import Reader

A, B, PUBLIC = Reader("party", "A"), Reader("party", "B"), Reader("observer")
ANALYST = Reader("analyst")


def test_a_party_cannot_read_the_other_partys_unpublished_allegation(case: Case) -> None:
    m = case.mission
    assert m.read(case.allegation, A).record["party"] == "A"
    for reader in (B, PUBLIC):
        with pytest.raises(AuthError):
            m.read(case.allegation, reader)
    assert m.read(case.allegation, ANALYST).record["party"] == "A"


def test_an_approved_finding_publishes_what_it_cites(case: Case) -> None:
    m = case.mission
    finding = approved_finding(case)
    for reader in (A, B, PUBLIC):
        assert m.read(finding, reader).kind == "finding"
        assert m.read(case.allegation, reader).kind == "allegation"


def test_drafts_are_not_visible_outside_the_mission(case: Case) -> None:
    m = case.mission
    found = draft(case)
    for reader in (A, B, PUBLIC):
        with pytest.raises(AuthError):
            m.read(found, reader)


def test_sealed_fields_and_monitor_identities_are_withheld(case: Case) -> None:
    m = case.mission
    sealed = m.submit_record(
        m.new_record(
            "observation",
            observation(
                sealed=["observed_by.monitor", "description"],
                observed_by={"source": "patrol", "team": "team-07", "monitor": "m-17"},
                description="Seen from the roof of the school on Shkilna street.",
                signed_at="2025-03-20T06:00:00Z",
            ),
        ),
        case.actors.monitor,
    )
    with pytest.raises(AuthError):
        m.read(sealed.record_id, A)  # not cited by an approved finding yet
    cites = draft(case, allegations=[], observations=[sealed.record_id])
    m.decide_finding(cites, case.approver, reply_window_days=7)
    for reader in (A, B, PUBLIC):
        seen = m.read(sealed.record_id, reader)
        assert "description" not in seen.record
        assert "team" not in seen.record["observed_by"]
        assert "monitor" not in seen.record["observed_by"]
        assert sorted(seen.record["sealed"]) == ["description", "observed_by.monitor"]
        assert seen.record["withheld"] == ["observed_by.team"]  # a team is never shown outside
        assert seen.envelope == {}
    # The signed record itself holds commitments only; the mission holds the values.
    inside = m.read(sealed.record_id, ANALYST)
    assert "monitor" not in inside.record["observed_by"] and "description" not in inside.record
    values = {r.path: r.value for r in m.reveals(sealed.record_id)}
    assert values == {
        "description": "Seen from the roof of the school on Shkilna street.",
        "observed_by.monitor": "m-17",
    }
    for r in m.reveals(sealed.record_id):
        r.check(inside.record["sealed"][r.path])


def test_replies_stay_private_until_the_deadline(case: Case) -> None:
    m = case.mission
    finding = approved_finding(case, window=3)
    reply = m.reply_to_finding(finding, case.actors.party_b, "We deny it.", party="B")
    assert m.read(reply.record_id, B).kind == "reply"
    with pytest.raises(AuthError):
        m.read(reply.record_id, A)
    m.clock = lambda: NOW + timedelta(days=4)
    assert m.read(reply.record_id, A).kind == "reply"


def test_monitors_and_witnesses_read_nothing_here(case: Case) -> None:
    for role in ("monitor", "witness", "intake"):
        with pytest.raises(AuthError):
            case.mission.read(case.allegation, Reader(role))


def test_history_shows_a_party_only_what_it_may_see(case: Case) -> None:
    m = case.mission
    other = m.submit_record(
        m.new_record(
            "allegation", allegation(party="B", against="A", signed_at="2025-03-22T08:00:00Z")
        ),
        case.actors.party_b,
    )
    m.step_allegation(other.record_id, "acknowledged", case.actors.analyst)
    with pytest.raises(AuthError):
        m.history(other.record_id, reader=A)
    own = m.history(other.record_id, reader=B)
    assert [e.relation for e in own.events] == ["record", "step"]
