"""The workflow commands: a full cycle through the command line on the demo mission."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_commands import EXIT_AUTH, EXIT_CONFLICT, Truce, demo_dir, mission, truce

__all__ = ["demo_dir", "mission", "truce"]  # fixtures


def test_allegation_to_confirmed_finding_with_replies(truce: Truce, mission: Path) -> None:
    m = ("--mission", mission)
    assert truce(*m, "keys", "new", "approver-01", "--role", "approver").rc == 0
    analyst = mission / "keys" / "analyst-01.key"
    approver = mission / "keys" / "approver-01.key"
    queue = truce(*m, "allegation", "list", "--state", "received", "--json")
    assert queue.rc == 0, queue.err
    first = json.loads(queue.out.splitlines()[0])
    ref = first["record_id"]

    # Illegal: straight to an outcome.
    r = truce(*m, "allegation", "step", ref, "under_verification", "--key", analyst)
    assert r.rc == EXIT_CONFLICT and "it may move to acknowledged" in r.err
    for to in ("acknowledged", "under_verification"):
        r = truce(*m, "allegation", "step", ref, to, "--key", analyst)
        assert r.rc == 0, r.err
    r = truce(*m, "allegation", "task", ref, "camera_review", "Review camera C-3", "--key", analyst)
    assert r.rc == 0, r.err

    r = truce(
        *m, "finding", "draft", "--allegation", ref, "--term", "moratorium.energy@1",
        "--certainty", "probable", "--outcome", "breach", "--summary", "Impact near the plant.",
        "--not-attributed", "origin of fire not established", "--key", analyst,
    )  # fmt: skip
    assert r.rc == 0, r.err
    (draft,) = r.stored()
    # Four eyes: the drafter's key cannot approve (nor can any analyst key).
    assert truce(*m, "finding", "approve", draft, "--key", analyst).rc == EXIT_AUTH
    r = truce(*m, "finding", "approve", draft, "--reply-days", "5", "--key", approver)
    assert r.rc == 0, r.err and "replies until" in r.out

    side = str(first["against"])
    party_key = mission / "keys" / f"party-{side.lower()}-office.key"
    r = truce(*m, "finding", "reply", draft, "We deny it.", "--party", side, "--key", party_key)
    assert r.rc == 0, r.err
    notes = {
        p: truce(*m, "finding", "notifications", "--party", p, "--json").out for p in ("A", "B")
    }
    a, b = ([json.loads(x) for x in notes[p].splitlines()] for p in ("A", "B"))
    assert [(x["notified_at"], x["reply_by"]) for x in a] == [
        (x["notified_at"], x["reply_by"]) for x in b
    ]

    r = truce(*m, "allegation", "step", ref, "confirmed", "--finding", draft, "--key", analyst)
    assert r.rc == 0, r.err
    h = truce(*m, "history", ref, "--json").json()
    assert h["state"] == "confirmed"
    assert [e["relation"] for e in h["events"]][-1] == "step"
    text = truce(*m, "history", draft)
    assert "approved, replies until" in text.out and "reply" in text.out
