"""Parity: one release instant for both parties, and every party read logged for the other."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from tests.conftest import NOW
from tests.workflow.conftest import Case, approved_finding, case
from truce.errors import AuthError, NotFound, ValidationError
from truce.workflow.visibility import Reader

__all__ = ["case"]  # fixtures

REPORT = b"<h1>Daily report</h1><p>Synthetic.</p>"
SHA = hashlib.sha256(REPORT).hexdigest()


def _readers(case: Case) -> dict[str, Reader]:
    a, b = case.actors.party_a, case.actors.party_b
    return {"A": Reader("party", "A", a.keyid), "B": Reader("party", "B", b.keyid)}


def test_a_report_is_released_to_both_parties_at_one_instant(case: Case) -> None:
    m = case.mission
    at = NOW + timedelta(hours=2)
    m.release_report(REPORT, "Daily report", case.approver, release_at=at, parties=["A", "B"])
    readers = _readers(case)
    seen = {p: m.releases(reader=r) for p, r in readers.items()}
    assert seen["A"] == seen["B"]  # the same record, the same instant, for both
    assert seen["A"][0]["release_at"] == "2025-06-01T02:00:00Z"
    assert seen["A"][0]["released"] is False
    for reader in readers.values():
        with pytest.raises(AuthError, match="released at 2025-06-01T02:00:00Z"):
            m.report(SHA, reader)
    assert m.report(SHA, Reader("approver")) == REPORT  # the mission holds it already
    m.clock = lambda: at
    assert {p: m.report(SHA, r) for p, r in readers.items()} == {"A": REPORT, "B": REPORT}
    with pytest.raises(AuthError):
        m.report(SHA, Reader("observer"))


def test_a_release_needs_the_report_and_an_approver(case: Case) -> None:
    m = case.mission
    with pytest.raises(AuthError):
        m.release_report(REPORT, "R", case.actors.analyst, release_at=NOW, parties=["A", "B"])
    record = m.new_record(
        "release",
        {
            "report": SHA,
            "title": "R",
            "media_type": "text/html",
            "size": len(REPORT),
            "release_at": "2025-06-01T00:00:00Z",
            "parties": ["A", "B"],
        },
    )
    size = m.store.size()
    with pytest.raises(ValidationError) as exc:  # the bytes were not sent
        m.submit_record(record, case.approver)
    assert exc.value.field == "payload.report" and m.store.size() == size
    with pytest.raises(ValidationError) as exc:
        m.submit([m.sign(record, case.approver)], blobs={SHA: REPORT + b"x"})
    assert exc.value.field == "blobs[" + repr(SHA) + "]" or "hash" in str(exc.value)
    with pytest.raises(NotFound):
        m.report(SHA, Reader("analyst"))


def test_a_release_is_only_for_its_parties(case: Case) -> None:
    m = case.mission
    m.release_report(REPORT, "For A", case.approver, release_at=NOW, parties=["A", "C"])
    assert m.releases(reader=Reader("party", "B")) == []
    with pytest.raises(NotFound):
        m.report(SHA, Reader("party", "B"))


def test_each_partys_reads_are_logged_and_visible_to_the_other(case: Case) -> None:
    m = case.mission
    finding = approved_finding(case)
    readers = _readers(case)
    m.read(finding, readers["A"])
    m.history(case.allegation, reader=readers["A"])
    m.notifications("B", reader=readers["B"])
    m.read(finding, Reader("analyst"))  # the mission's own reads are not party reads
    log = m.accesses(reader=readers["B"])  # B reads A's reads
    assert [(x["party"], x["action"]) for x in log] == [
        ("A", "read"),
        ("A", "history"),
        ("B", "notifications"),
    ]
    assert log[0]["items"] == [finding] and log[0]["reader"] == readers["A"].keyid
    assert log == m.accesses(reader=readers["A"])  # both see the same log
    assert [x["action"] for x in m.accesses(reader=readers["A"], party="B")] == ["notifications"]
    # Each access record is signed with the mission's key and readable by both parties.
    seq = log[0]["seq"]
    view = m.show(f"#{seq}")
    assert view.kind == "access" and view.role == "admin"
    for reader in readers.values():
        assert m.read(view.record_id, Reader(reader.role, reader.party)).kind == "access"
    with pytest.raises(AuthError):
        m.accesses(reader=Reader("observer"))


def test_a_refused_read_is_not_logged_as_a_read(case: Case) -> None:
    m = case.mission
    with pytest.raises(AuthError):
        m.read(case.allegation, _readers(case)["B"])  # A's unpublished allegation
    assert m.accesses(reader=Reader("analyst")) == []


def test_the_published_log_holds_a_report_only_from_its_release(case: Case) -> None:
    m = case.mission
    at = NOW + timedelta(hours=2)
    m.release_report(REPORT, "Daily report", case.approver, release_at=at, parties=["A", "B"])
    m.integrate()
    blob = m.publish_path() / "blob" / SHA
    assert m.unreleased_reports() == {SHA}
    assert not blob.exists()  # the release record is public, the report not yet
    m.clock = lambda: at
    m.publish()
    assert m.unreleased_reports() == set()
    assert blob.read_bytes() == REPORT
