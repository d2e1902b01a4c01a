"""The casework facade: ranked link candidates, links, corrections, coverage."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import observation
from tests.workflow.conftest import Case, case
from truce.errors import AuthError, Conflict, ValidationError
from truce.workflow.visibility import Reader

__all__ = ["case"]  # fixtures

ANALYST = Reader("analyst")


def _near(case: Case, **over: object) -> str:
    """An observation of an impact near the allegation's power station, at the claimed time."""
    body = observation(
        location={"kind": "point", "lon": 35.09, "lat": 47.515, "uncertainty_m": 500},
        time={"at": "2025-03-21T02:20:00Z", "precision": "minute"},
        signed_at="2025-03-21T04:00:00Z",
        **over,
    )
    m = case.mission
    return m.submit_record(m.new_record("observation", body), case.actors.monitor).record_id


def test_candidates_rank_the_matching_observation_first(case: Case) -> None:
    m = case.mission
    near = _near(case)
    vague = _near(case, category="damage_civilian_object", subtype=None)
    rows = m.link_candidates(case.allegation, reader=ANALYST)
    # case.observation is ~200 km away: not a candidate at all.
    assert [r["observation"] for r in rows] == [near, vague]
    assert rows[0]["score"] > rows[1]["score"]
    assert any("same category and subtype" in reason for reason in rows[0]["reasons"])
    assert rows[0]["linked"] is False
    with pytest.raises(AuthError):
        m.link_candidates(case.allegation, reader=Reader("party", "A"))
    with pytest.raises(ValidationError):
        m.link_candidates(case.observation, reader=ANALYST)  # not an allegation


def test_links_are_signed_once_and_withdrawn_by_correction(case: Case) -> None:
    m = case.mission
    near = _near(case)
    link = m.link(case.allegation, near, case.actors.analyst, reason="same impact")
    assert [x["observation"] for x in m.links(case.allegation)] == [near]
    assert m.link_candidates(case.allegation, reader=ANALYST)[0]["linked"] is True
    with pytest.raises(Conflict):
        m.link(case.allegation, near, case.actors.analyst, reason="again")
    with pytest.raises(AuthError):
        m.link(case.allegation, near, case.actors.party_a, reason="mine")
    with pytest.raises(ValidationError) as exc:  # the link's parts are the right kinds
        m.link(near, case.allegation, case.actors.analyst, reason="reversed")
    assert exc.value.field == "payload.allegation"
    m.correct(link.record_id, case.actors.analyst, reason="wrong observation")
    assert m.links(case.allegation) == []
    assert m.latest(link.record_id) is None
    events = m.history(case.allegation).to_dict()["events"]
    assert [e["withdrawn"] for e in events if e["record_id"] == link.record_id] == [True]


def test_a_correction_with_replacement_is_atomic_and_followed(case: Case) -> None:
    m = case.mission
    fixed = observation(count=4)
    receipts = m.correct(case.observation, case.actors.monitor, reason="recount", replacement=fixed)
    assert [r.kind for r in receipts] == ["observation", "correction"]
    assert m.latest(case.observation) == receipts[0].record_id
    assert m.show(case.observation).corrected  # the original stays, marked
    again = m.correct(
        receipts[0].record_id,
        case.actors.monitor,
        reason="recount 2",
        replacement=observation(count=5),
    )
    assert m.latest(case.observation) == again[0].record_id  # the chain is followed
    size = m.store.size()
    with pytest.raises(ValidationError) as exc:
        m.correct(
            case.observation, case.actors.monitor, reason="x", replacement={"type": "coverage"}
        )
    assert exc.value.field == "replacement.type" and m.store.size() == size
    with pytest.raises(AuthError):  # someone else's observation
        m.correct(again[0].record_id, case.actors.monitor2, reason="x")
    assert m.store.size() == size


def test_coverage_is_read_through_the_facade(case: Case) -> None:
    m = case.mission
    summary = m.coverage(reader=Reader("observer"), days=[date(2025, 3, 20)])
    (day,) = summary.days
    assert day.area_share == 0 and day.sites_total > 0  # nothing recorded: nothing seen
    with pytest.raises(AuthError):
        m.coverage(reader=Reader("monitor"))
