"""The demo's casework: one full verification cycle, done through the facade.

After the synthetic scenario is stored, the demo works three of its energy
allegations the way a mission would, every step a signed record:

1. an allegation by party A that a mission observation matches: acknowledged,
   put under verification (a camera review), the best-ranked candidate
   observation linked, a finding drafted by the analyst and approved by the
   approver (four eyes), the allegation confirmed by it, and both parties'
   replies within the one reply window;
2. an allegation by party B that the other party contradicts: verified with
   an evidence request, and closed ``not_confirmed`` (no corroboration);
3. an allegation with no matching observation: ``unable_to_verify`` (no
   access);

plus the parties' correspondence (a thread sealed to the parties only, one the
mission may read, receipts and a deadline), each party reading the finding
(logged, and visible to the other), and one correction. Time is scripted
(:class:`ScriptedClock`), so the demo stays deterministic for its seed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from truce.keys import Signer
from truce.mission import Mission
from truce.records import Allegation, format_utc, parse_record
from truce.scenario import correction_for
from truce.workflow.visibility import Reader

__all__ = ["CaseworkResult", "ScriptedClock", "run_casework"]


@dataclass
class ScriptedClock:
    """A clock that reads a set time and moves only when told to."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class CaseworkResult:
    """What the cycle did, for the demo's output."""

    #: allegation id -> final state
    outcomes: Mapping[str, str]
    finding: str
    replies: int
    threads: int
    accesses: int
    correction: str
    lines: list[str] = field(default_factory=list)


def run_casework(
    m: Mission, signers: Mapping[str, Signer], start: datetime, original: str, *, entropy: bytes
) -> CaseworkResult:
    """Work the cycle from ``start``; ``original`` is the observation the
    monitor corrects. ``signers`` maps principals to the demo's keys;
    ``entropy`` makes the sealed correspondence reproducible (demo only)."""
    clock = ScriptedClock(start)
    real, defaults = m.clock, m.record_defaults
    m.clock = clock
    # Every record of the demo is marked synthetic, the casework's too.
    m.record_defaults = {"synthetic": True, "source": "synthetic"}
    try:
        return _cycle(m, signers, clock, original, entropy)
    finally:
        m.clock, m.record_defaults = real, defaults


def _allegations(m: Mission) -> list[tuple[str, Allegation]]:
    out = []
    for stored in m.store.scan(kinds=["allegation"]):
        record = parse_record(stored.payload)
        assert isinstance(record, Allegation)
        out.append((stored.record_id, record))
    return out


def _cycle(
    m: Mission, signers: Mapping[str, Signer], clock: ScriptedClock, original: str, entropy: bytes
) -> CaseworkResult:
    analyst, approver = signers["analyst-01"], signers["approver-01"]
    party = {"A": signers["party-a-office"], "B": signers["party-b-office"]}
    mission = Reader("analyst")
    lines: list[str] = []
    allegations = _allegations(m)
    by_ref = {(a.reference or ""): rid for rid, a in allegations}
    # The scenario files allegations in threes: matched, unmatched, contradicted.
    matched = by_ref["A-2025-001"]
    unmatched = by_ref["B-2025-002"]
    contradicted = by_ref["A-2025-003c"] if "A-2025-003c" in by_ref else by_ref["B-2025-003c"]
    outcomes: dict[str, str] = {}

    def step(ref: str, state: str, **kw: Any) -> None:
        clock.advance(minutes=20)
        m.step_allegation(ref, state, analyst, **kw)

    # 1. The matched allegation: verify, link, find, approve, confirm, reply.
    step(matched, "acknowledged", comment="Received through the party liaison desk.")
    step(matched, "under_verification")
    clock.advance(minutes=10)
    m.add_task(matched, "camera_review", "Review fixed-camera footage of the site.", analyst)
    candidates = m.link_candidates(matched, reader=mission, limit=3)
    best = candidates[0]
    clock.advance(minutes=30)
    m.link(
        matched,
        best["observation"],
        analyst,
        reason="; ".join(best["reasons"][:3]),
        score=best["score"],
    )
    lines.append(
        f"allegation {matched[:12]}: {len(candidates)} candidate observation(s) ranked; "
        f"linked the best ({best['score']:.2f}: {best['reasons'][0]})"
    )
    claim = dict(allegations)[matched].claim
    term = claim.term
    assert term is not None
    clock.advance(hours=2)
    drafted = m.draft_finding(
        analyst,
        term=(term.id, term.agreement_version),
        certainty="probable",
        outcome="breach",
        summary=f"A mission patrol observed an impact {best['distance_m'] / 1000:.1f} km from "
        f"the site named in the allegation, at the time claimed.",
        allegations=[matched],
        observations=[best["observation"]],
        not_attributed="only one mission source established the impact; the standard asks "
        "for two on the direction and origin of fire",
    )
    finding = drafted.record_id
    clock.advance(hours=3)
    m.decide_finding(finding, approver, reply_window_days=7)
    step(matched, "confirmed", finding=finding)
    outcomes[matched] = "confirmed"
    # Both parties read the finding: each read is logged and visible to the other.
    for pid in ("A", "B"):
        clock.advance(hours=1)
        m.read(finding, Reader("party", pid, party[pid].keyid))
    for pid, text in (
        ("A", "We welcome the finding and ask the mission to attribute the strike."),
        ("B", "We reject any suggestion that our forces struck the site."),
    ):
        clock.advance(days=1)
        m.reply_to_finding(finding, party[pid], text, party=pid)
    lines.append(
        f"finding {finding[:12]}: drafted by analyst-01, approved by approver-01, "
        "replies from A and B"
    )

    # 2. The contradicted allegation: an evidence request, then not confirmed.
    step(contradicted, "acknowledged")
    step(contradicted, "under_verification")
    clock.advance(minutes=10)
    m.add_task(
        contradicted,
        "evidence_request",
        "Original imagery of the site with capture metadata.",
        analyst,
        due=clock.now + timedelta(days=5),
    )
    clock.advance(days=5)
    step(
        contradicted,
        "not_confirmed",
        reason="no_corroboration",
        comment="No mission source observed the strike; the other party contests it.",
    )
    outcomes[contradicted] = "not_confirmed"

    # 3. The unmatched allegation: no access to the site.
    step(unmatched, "acknowledged")
    step(unmatched, "under_verification")
    step(
        unmatched,
        "unable_to_verify",
        reason="no_access",
        comment="Access to the area was denied on the days after the claimed strike.",
    )
    outcomes[unmatched] = "unable_to_verify"
    for ref, state in outcomes.items():
        lines.append(f"allegation {ref[:12]}: {state}")

    # Correspondence: a thread sealed to the parties, one the mission may read.
    exchanges = (
        (
            "A",
            "parties",
            "Consular access to a detained repair engineer",
            "We ask for consular access to our citizen detained near the substation.",
            "Access is granted on Friday at 10:00.",
        ),
        (
            "B",
            "mission",
            "Repair crew access to a damaged substation",
            "We request a local ceasefire window for a repair crew, per the agreement's "
            "window terms.",
            "We agree to the window proposed, 06:00 to 14:00 local time on two consecutive days.",
        ),
    )
    for writer, content, subject, text, answer in exchanges:
        other = "B" if writer == "A" else "A"
        clock.advance(hours=1)
        opened = m.correspond(
            party[writer], writer, other, subject, text, content=content,
            reply_by=clock.now + timedelta(days=3), language="en", entropy=entropy,
        )  # fmt: skip
        clock.advance(hours=2)
        m.acknowledge(opened.record_id, party[other], party=other)
        clock.advance(hours=20)
        m.correspond(
            party[other], other, writer, f"Re: {subject}", answer, thread=opened.record_id,
            in_reply_to=opened.record_id, language="en", entropy=entropy,
        )  # fmt: skip
    threads = m.threads(reader=mission)
    messages = sum(t["messages"] for t in threads)
    receipts = messages - sum(t["unacknowledged"] for t in threads)
    waiting = sum(len(t["awaiting_reply"]) for t in threads)
    lines.append(
        f"correspondence: {len(threads)} threads ({', '.join(t['content'] for t in threads)}), "
        f"{messages} messages, {receipts} receipts, {waiting} awaiting a reply"
    )

    # One correction: the monitor recounts an observation they signed.
    clock.advance(hours=1)
    stored = m.store.get(original)
    fixed, reason = correction_for(json.loads(stored.payload), signed_at=format_utc(clock.now))
    monitor = signers[m.show(original).signer]
    receipts = m.correct(original, monitor, reason=reason, replacement=fixed)
    correction = receipts[-1].record_id
    lines.append(
        f"correction {correction[:12]}: observation {original[:12]} replaced by "
        f"{receipts[0].record_id[:12]} (the original stays in the log)"
    )
    accesses = m.accesses(reader=mission)
    lines.append(f"parity: {len(accesses)} party reads logged, each visible to the other party")
    return CaseworkResult(
        outcomes=outcomes,
        finding=finding,
        replies=2,
        threads=len(threads),
        accesses=len(accesses),
        correction=correction,
        lines=lines,
    )
