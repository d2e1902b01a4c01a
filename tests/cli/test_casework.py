"""The workflow commands: a full cycle through the command line on the demo mission."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_commands import EXIT_AUTH, EXIT_CONFLICT, Truce, demo_dir, mission, truce

__all__ = ["demo_dir", "mission", "truce"]  # fixtures


def test_allegation_to_confirmed_finding_with_replies(truce: Truce, mission: Path) -> None:
    m = ("--mission", mission)
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


def test_candidates_link_and_correct(truce: Truce, mission: Path) -> None:
    m = ("--mission", mission)
    analyst = mission / "keys" / "analyst-01.key"
    queue = truce(*m, "allegation", "list", "--json")
    refs = [json.loads(line)["record_id"] for line in queue.out.splitlines()]
    ranked = None
    for ref in refs:
        r = truce(*m, "allegation", "candidates", ref, "--limit", "3", "--json")
        assert r.rc == 0, r.err
        rows = [json.loads(line) for line in r.out.splitlines()]
        if rows and not any(row["linked"] for row in rows):
            ranked = (ref, rows)
            break
    assert ranked is not None, "the demo has allegations with candidate observations"
    ref, rows = ranked
    assert rows == sorted(rows, key=lambda row: -row["score"])
    best = rows[0]["observation"]
    r = truce(*m, "allegation", "link", ref, best, "--reason", "same impact", "--key", analyst)
    assert r.rc == 0, r.err
    (link,) = r.stored()
    again = truce(*m, "allegation", "link", ref, best, "--reason", "twice", "--key", analyst)
    assert again.rc == EXIT_CONFLICT and "already linked" in again.err
    r = truce(*m, "allegation", "candidates", ref, "--json")
    assert json.loads(r.out.splitlines()[0])["linked"] is True
    text = truce(*m, "allegation", "candidates", ref)
    assert "(linked)" in text.out and "apart" in text.out

    # Withdraw the link with a correction: the link stays in the history, withdrawn.
    r = truce(*m, "correct", link, "--reason", "wrong observation", "--key", analyst)
    assert r.rc == 0, r.err
    events = truce(*m, "history", ref, "--json").json()["events"]
    assert any(e["record_id"] == link and e["withdrawn"] for e in events)
    again = truce(*m, "allegation", "link", ref, best, "--reason", "relinked", "--key", analyst)
    assert again.rc == 0, again.err


def test_correct_with_a_replacement_file(truce: Truce, mission: Path, tmp_path: Path) -> None:
    m = ("--mission", mission)
    analyst = mission / "keys" / "analyst-01.key"
    obs = truce(*m, "list", "--type", "observation", "--limit", "1", "--json")
    original = json.loads(obs.out.splitlines()[0])
    author = mission / "keys" / f"{original['signer']['principal']}.key"
    fixed = dict(original["record"], count=original["record"]["count"] + 1)
    path = tmp_path / "fixed.json"
    path.write_text(json.dumps(fixed), encoding="utf-8")
    r = truce(
        *m, "correct", original["record_id"], "--reason", "recounted", "--replacement", path,
        "--key", analyst,
    )  # fmt: skip
    assert r.rc == 3 and "analyst key may not submit observation" in r.err  # authors replace
    r = truce(
        *m, "correct", original["record_id"], "--reason", "recounted", "--replacement", path,
        "--key", author,
    )  # fmt: skip
    assert r.rc == 0, r.err
    replacement, correction = r.stored()
    shown = truce(*m, "show", original["record_id"]).out
    assert "corrected" in shown and correction in shown
    bad = tmp_path / "bad.json"
    bad.write_text("[1]", encoding="utf-8")
    r = truce(*m, "correct", replacement, "--reason", "x", "--replacement", bad, "--key", analyst)
    assert r.rc != 0 and "--replacement" in r.err and "JSON object" in r.err


def test_coverage_summary(truce: Truce, mission: Path) -> None:
    r = truce("--mission", mission, "coverage", "summary", "--json")
    assert r.rc == 0, r.err
    out = r.json()
    assert out["days"] and out["sites_total"] > 0
    for day in out["days"]:
        assert 0 <= day["area_share"] <= 1 and day["seen_km2"] <= day["contact_km2"]
    text = truce("--mission", mission, "coverage", "summary", "--days", "1")
    assert text.rc == 0 and "area seen" in text.out and out["days"][-1]["date"] in text.out


def test_correspondence_release_and_access(truce: Truce, mission: Path, tmp_path: Path) -> None:
    m = ("--mission", mission)
    key_a = mission / "keys" / "party-a-office.key"
    key_b = mission / "keys" / "party-b-office.key"
    r = truce(
        *m, "correspond", "send", "--from", "A", "--to", "B", "--subject", "Detainee visit",
        "--body", "We ask for a visit on Friday.", "--content", "parties",
        "--reply-by", "2099-01-01T00:00:00", "--key", key_a,
    )  # fmt: skip
    assert r.rc == 0, r.err
    (thread,) = r.stored()
    r = truce(*m, "correspond", "ack", thread, "--party", "B", "--key", key_b)
    assert r.rc == 0, r.err
    twice = truce(*m, "correspond", "ack", thread, "--party", "B", "--key", key_b)
    assert twice.rc == EXIT_CONFLICT
    wrong = truce(*m, "correspond", "ack", thread, "--party", "A", "--key", key_a)
    assert wrong.rc != 0 and "addressed to B" in wrong.err

    # The mission reads the metadata, never a parties-only body; party B opens it.
    mission_view = truce(*m, "correspond", "show", thread, "--json").json()
    assert mission_view["items"][0]["body"] is None
    assert mission_view["awaiting_reply"][0]["from"] == "B"
    b_view = truce(*m, "correspond", "show", thread, "--key", key_b, "--json").json()
    assert b_view["items"][0]["body"] == "We ask for a visit on Friday."
    assert b_view["items"][0]["acknowledged_at"] is not None
    threads = [json.loads(x) for x in truce(*m, "correspond", "threads", "--json").out.splitlines()]
    mine = next(t for t in threads if t["thread"] == thread)
    assert (mine["subject"], mine["content"], mine["unacknowledged"]) == (
        "Detainee visit",
        "parties",
        0,
    )
    assert "parties" in truce(*m, "correspond", "threads").out

    # B's read is logged, and visible in the access log.
    log = [json.loads(x) for x in truce(*m, "access", "--party", "B", "--json").out.splitlines()]
    assert log and log[-1]["action"] == "thread" and log[-1]["items"][0] == thread

    report = tmp_path / "r.md"
    report.write_text("# Daily report\n", encoding="utf-8")
    approver = mission / "keys" / "approver-01.key"
    r = truce(
        *m, "release", "report", report, "--title", "Daily", "--at", "2099-01-01T17:30:00",
        "--party", "A", "--party", "B", "--media-type", "text/markdown", "--key", approver,
    )  # fmt: skip
    assert r.rc == 0, r.err
    listed = truce(*m, "release", "list").out
    assert "not yet released" in listed and "2099-01-01T17:30:00Z" in listed
