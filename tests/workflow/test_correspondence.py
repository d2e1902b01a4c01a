"""Correspondence threads: the intake rules, sealing, receipts, deadlines, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import NOW, seeded
from tests.workflow.conftest import Case
from truce.errors import AuthError, Conflict, ValidationError
from truce.sealing import seal
from truce.workflow.visibility import Reader

ANALYST = Reader("analyst")


def _open(case: Case, content: str = "parties", **kw: object) -> str:
    a = case.actors.party_a
    return case.mission.correspond(
        a,
        "A",
        "B",
        "Consular access",
        "We ask for a visit.",
        content=content,
        **kw,  # type: ignore[arg-type]
    ).record_id


def _raw(case: Case, signer_party: str = "A", **body: object) -> dict[str, object]:
    record = {"from_party": signer_party, "to_party": "B" if signer_party == "A" else "A"}
    record |= {"subject": "S", **body}
    return case.mission.new_record("correspondence", record)


def _refused(
    case: Case, exc: type[Exception], record: dict[str, object], who: str = "A"
) -> Exception:
    signer = case.actors.party_a if who == "A" else case.actors.party_b
    size = case.mission.store.size()
    with pytest.raises(exc) as info:
        case.mission.submit_record(record, signer)
    assert case.mission.store.size() == size  # nothing stored
    return info.value


def test_a_parties_thread_is_sealed_to_the_parties_only(case: Case) -> None:
    m = case.mission
    thread = _open(case)
    stored = m.show(thread).record
    assert "body" not in stored and len(stored["sealed_body"]) == 2  # one box per party key
    # The mission reads metadata only; each party opens the box with its own key.
    assert m.thread(thread, ANALYST)["items"][0]["body"] is None
    for signer, party in ((case.actors.party_a, "A"), (case.actors.party_b, "B")):
        view = m.thread(thread, Reader("party", party, signer.keyid), signer=signer)
        assert view["items"][0]["body"] == "We ask for a visit."


def test_a_mission_thread_is_readable_by_the_mission(case: Case) -> None:
    m = case.mission
    thread = _open(case, "mission")
    assert len(m.show(thread).record["sealed_body"]) == 3  # A, B and the mission's admin key
    assert m.thread(thread, ANALYST)["items"][0]["body"] == "We ask for a visit."


def test_a_public_thread_is_plain_and_public(case: Case) -> None:
    m = case.mission
    thread = _open(case, "public")
    assert m.show(thread).record["body"] == "We ask for a visit."
    assert m.read(thread, Reader("observer")).record["subject"] == "Consular access"
    private = _open(case)
    with pytest.raises(AuthError):
        m.read(private, Reader("observer"))


def test_replies_follow_the_thread(case: Case) -> None:
    m = case.mission
    b = case.actors.party_b
    thread = _open(case)
    reply = m.correspond(b, "B", "A", "Re: visit", "Friday, 10:00.", thread=thread)
    view = m.thread(thread, Reader("party", "B", b.keyid), signer=b)
    assert [x["body"] for x in view["items"]] == ["We ask for a visit.", "Friday, 10:00."]
    assert view["items"][1]["record_id"] == reply.record_id
    with pytest.raises(ValidationError) as exc:
        m.correspond(b, "B", "A", "Re", "x", thread=thread, content="public")
    assert exc.value.field == "content"
    # A reply is not a thread.
    with pytest.raises(ValidationError) as exc:
        m.correspond(b, "B", "A", "Re", "x", thread=reply.record_id)
    assert exc.value.field == "thread"


def test_intake_refuses_what_breaks_a_thread(case: Case) -> None:
    m = case.mission
    a, b = case.actors.party_a, case.actors.party_b
    thread = _open(case)
    public = _open(case, "public")
    # Plain body in a sealed thread, sealed body in a public one.
    err = _refused(case, ValidationError, _raw(case, "B", thread=thread, body="plain"), "B")
    assert isinstance(err, ValidationError) and err.field == "payload.body"
    boxes = seal("x", [(k.keyid, k.public_key) for k in (a, b)])
    err = _refused(case, ValidationError, _raw(case, "B", thread=public, sealed_body=boxes), "B")
    assert isinstance(err, ValidationError) and err.field == "payload.sealed_body"
    # Sealed to someone who may not read it (the monitor), or missing a party.
    monitor = case.actors.monitor
    leaky = seal("x", [(k.keyid, k.public_key) for k in (a, b, monitor)])
    err = _refused(case, ValidationError, _raw(case, content="parties", sealed_body=leaky))
    assert isinstance(err, ValidationError) and "may not read" in str(err)
    assert err.field is not None and err.field.startswith("payload.sealed_body[")
    admin = case.actors.admin
    short = seal("x", [(k.keyid, k.public_key) for k in (a, admin)])
    err = _refused(case, ValidationError, _raw(case, content="mission", sealed_body=short))
    assert isinstance(err, ValidationError) and "not sealed to any key of B" in str(err)
    # A thread between other parties: a third party's key cannot write in it.
    c = seeded("party-c-office")
    m.enrol_key(c.public_key, principal=c.principal, role="party", party="C")
    other = m.new_record(
        "correspondence",
        {"from_party": "C", "to_party": "A", "subject": "S", "body": "x", "thread": public},
    )
    with pytest.raises(ValidationError) as exc:
        m.submit_record(other, c)
    assert exc.value.field == "payload.to_party"
    # A revoked key is not a recipient.
    m.revoke_key(b.keyid, reason="lost")
    with pytest.raises(ValidationError) as exc:
        m.correspond(a, "A", "B", "After", "x", content="parties")
    assert exc.value.field == "to_party" and "party B has no active key" in str(exc.value)


def test_receipts_once_and_only_by_the_addressee(case: Case) -> None:
    m = case.mission
    a, b = case.actors.party_a, case.actors.party_b
    thread = _open(case)
    with pytest.raises(ValidationError) as exc:
        m.acknowledge(thread, a, party="A")
    assert exc.value.field == "payload.party"
    with pytest.raises(AuthError):
        m.acknowledge(thread, a, party="B")  # A's key cannot acknowledge for B
    m.acknowledge(thread, b, party="B")
    with pytest.raises(Conflict):
        m.acknowledge(thread, b, party="B")
    (summary,) = m.threads(reader=ANALYST)
    assert summary["unacknowledged"] == 0


def test_deadlines_met_late_or_overdue(case: Case) -> None:
    m = case.mission
    b = case.actors.party_b
    thread = _open(case, reply_by=NOW + timedelta(days=2))
    (summary,) = m.threads(reader=ANALYST)
    assert summary["awaiting_reply"] == [
        {"message": thread, "from": "B", "reply_by": "2025-06-03T00:00:00Z", "overdue": False}
    ]
    m.clock = lambda: NOW + timedelta(days=3)
    (summary,) = m.threads(reader=ANALYST)
    assert summary["awaiting_reply"][0]["overdue"] is True
    m.correspond(b, "B", "A", "Re", "Late, sorry.", thread=thread)
    view = m.thread(thread, ANALYST)
    first = view["items"][0]
    assert first["answered_at"] == "2025-06-04T00:00:00Z" and first["overdue"] is True
    assert view["awaiting_reply"] == []


def test_a_party_sees_only_its_own_threads(case: Case) -> None:
    m = case.mission
    thread = _open(case)
    c = seeded("party-c-office")
    m.enrol_key(c.public_key, principal=c.principal, role="party", party="C")
    with pytest.raises(AuthError):
        m.thread(thread, Reader("party", "C", c.keyid), signer=c)
    assert m.threads(reader=Reader("party", "C")) == []
    assert [t["thread"] for t in m.threads(reader=Reader("party", "B"))] == [thread]
    with pytest.raises(AuthError):
        m.threads(reader=Reader("monitor"))
