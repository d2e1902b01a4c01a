"""A record's history from the log's entries alone equals the database view."""

from __future__ import annotations

from tests.workflow.conftest import Case, approved_finding, verify
from truce.workflow import history_from_entries
from truce.workflow.visibility import Reader


def test_every_records_history_from_the_log_alone_matches_the_database(case: Case) -> None:
    m = case.mission
    verify(case)
    m.add_task(
        case.allegation, "evidence_request", "Send the photos.", case.actors.analyst, due=m.clock()
    )
    finding = approved_finding(case)
    m.step_allegation(case.allegation, "confirmed", case.actors.analyst, finding=finding)
    m.reply_to_finding(finding, case.actors.party_b, "We deny it.", party="B")
    link = m.link(case.allegation, case.observation, case.actors.analyst, reason="same impact")
    a, b = case.actors.party_a, case.actors.party_b
    thread = m.correspond(a, "A", "B", "Visit", "We ask for a visit.", content="parties")
    m.acknowledge(thread.record_id, b, party="B")
    m.correspond(b, "B", "A", "Re", "Friday.", thread=thread.record_id)
    m.read(finding, Reader("party", "A", a.keyid))  # an access record
    m.release_report(b"report", "Daily", case.approver, release_at=m.clock(), parties=["A", "B"])
    m.correct(link.record_id, case.actors.analyst, reason="a different impact")
    wrong = m.submit_record(
        m.new_record("correction", {"supersedes": case.observation, "reason": "wrong count"}),
        case.actors.monitor,
    )
    entries = m.store.entries(0, m.store.size())
    checked = 0
    for stored in m.store.scan():
        from_log = history_from_entries(stored.record_id, entries)
        assert from_log == m.history(stored.record_id), stored.kind
        checked += 1
    assert checked == m.store.size()
    allegation = m.history(case.allegation)
    assert allegation.state == "confirmed"
    assert [e.relation for e in allegation.events] == [
        "record",
        "step",
        "step",
        "task",
        "cited_by",
        "step",
        "link",
    ]
    assert [e.withdrawn for e in allegation.events][-1] is True  # the link, withdrawn
    observation = m.history(case.observation)
    assert observation.corrected_by == (wrong.record_id,)
    assert [e.relation for e in observation.events] == ["record", "cited_by", "link", "correction"]
    assert [e.relation for e in m.history(thread.record_id).events] == [
        "record",
        "receipt",
        "in_thread",
    ]
    state = m.history(finding).finding
    assert state is not None and state.status == "approved" and list(state.replies) == ["B"]
