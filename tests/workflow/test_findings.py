"""Four eyes, decisions, the right of reply and parity between the parties."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW, seeded
from tests.intake.test_gate import refused
from tests.workflow.conftest import Case, approved_finding, draft
from truce.errors import AuthError, Conflict, ValidationError
from truce.records import format_utc
from truce.workflow.visibility import Reader


def test_the_drafter_cannot_approve_even_with_another_key(case: Case) -> None:
    m = case.mission
    found = draft(case)
    # The same person holding an approver key as well: still refused (four eyes on principals).
    second = seeded("analyst-01-approver-key")
    m.enrol_key(second.public_key, principal="analyst-01", role="approver")
    err = refused(m, AuthError, lambda: m.decide_finding(found, second, reply_window_days=7))
    assert "four eyes" in str(err)
    assert m.history(found).finding.status == "draft"  # type: ignore[union-attr]


def test_an_analyst_key_cannot_approve(case: Case) -> None:
    found = draft(case)
    refused(
        case.mission,
        AuthError,
        lambda: case.mission.decide_finding(found, case.analyst2, reply_window_days=7),
    )


def test_a_revoked_approver_is_refused(case: Case) -> None:
    m = case.mission
    found = draft(case)
    keyid = next(k.keyid for k in m.keys() if k.principal == "approver-01")
    m.revoke_key(keyid, reason="left the mission")
    refused(m, AuthError, lambda: m.decide_finding(found, case.approver, reply_window_days=7))


def test_a_finding_is_decided_once(case: Case) -> None:
    m = case.mission
    found = draft(case)
    m.decide_finding(found, case.approver, returned="cite the camera footage")
    assert m.history(found).finding.status == "returned"  # type: ignore[union-attr]
    refused(m, Conflict, lambda: m.decide_finding(found, case.approver, reply_window_days=7))


def test_attribution_needs_confirmed_certainty_under_the_standard(case: Case) -> None:
    m = case.mission
    err = refused(
        m,
        ValidationError,
        lambda: draft(case, not_attributed=None, attributed_to="B", basis="crater analysis"),
    )
    assert "certainty confirmed" in str(err)
    draft(
        case,
        not_attributed=None,
        attributed_to="B",
        basis="two independent sources",
        certainty="confirmed",
    )


def test_both_parties_are_notified_at_one_instant_with_one_deadline(case: Case) -> None:
    m = case.mission
    finding = approved_finding(case, window=5)
    a, b = (
        m.notifications("A", reader=Reader("party", "A")),
        m.notifications("B", reader=Reader("party", "B")),
    )
    assert [(n["finding"], n["notified_at"], n["reply_by"]) for n in a] == [
        (n["finding"], n["notified_at"], n["reply_by"]) for n in b
    ]
    assert a[0]["reply_by"] == format_utc(NOW + timedelta(days=5))
    state = m.history(finding).finding
    assert state is not None and state.notified_at == NOW


def test_each_party_replies_once_and_only_for_itself(case: Case) -> None:
    m = case.mission
    finding = approved_finding(case)
    m.reply_to_finding(finding, case.actors.party_b, "We deny the strike.", party="B")
    refused(
        m,
        Conflict,
        lambda: m.reply_to_finding(finding, case.actors.party_b, "Again.", party="B"),
    )
    refused(
        m,
        AuthError,
        lambda: m.reply_to_finding(finding, case.actors.party_b, "For A.", party="A"),
    )
    m.reply_to_finding(finding, case.actors.party_a, "We note the finding.", party="A")
    state = m.history(finding).finding
    assert state is not None and sorted(state.replies) == ["A", "B"]
    assert [n["replied"] for n in m.notifications("A", reader=Reader("analyst"))] == [True]


def test_no_reply_to_a_draft_or_after_the_deadline(case: Case) -> None:
    m = case.mission
    found = draft(case)
    refused(m, Conflict, lambda: m.reply_to_finding(found, case.actors.party_b, "x", party="B"))
    finding = approved_finding(case, window=1)
    m.clock = lambda: NOW + timedelta(days=2)
    m._gate._clock = m.clock  # the gate reads the mission's clock
    err = refused(
        m,
        ValidationError,
        lambda: m.reply_to_finding(finding, case.actors.party_a, "late", party="A"),
    )
    assert "same deadline for both parties" in str(err)
