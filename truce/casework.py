"""The verification workflow's operations on :class:`truce.mission.Mission`.

A mixin, so that the one facade stays one class while ``mission.py`` stays
small: each method signs a workflow record with the caller's key and submits
it (intake enforces the rules of :mod:`truce.workflow`), or reads the
workflow's state back from the store.

Example::

    receipt = mission.step_allegation(ref, "acknowledged", analyst)
    mission.draft_finding(analyst, allegations=[ref], term=("moratorium.energy", 1),
                          certainty="confirmed", outcome="breach",
                          summary="...", not_attributed="two sources not available")
    mission.decide_finding(finding_ref, approver, reply_window_days=7)
    mission.history(ref).to_dict()
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from truce.agreement import Agreement
from truce.envelopes import Envelope
from truce.errors import AuthError, Conflict, NotFound, ValidationError
from truce.intake.gate import Receipt
from truce.keys import Signer
from truce.records import (
    Allegation,
    Correction,
    Coverage,
    Finding,
    Link,
    Observation,
    Record,
    format_utc,
    parse_record,
)
from truce.records.commitments import Reveal
from truce.roles import check_may
from truce.store import KeyState, Store, StoredRecord
from truce.views import RecordView, assessment_dict
from truce.workflow import History, Related, finding_state, state_of
from truce.workflow.coverage import CoverageSettings, CoverageSummary, summarise_coverage
from truce.workflow.findings import DEFAULT_REPLY_WINDOW_DAYS
from truce.workflow.history import build_history, cites
from truce.workflow.linking import DEFAULT_SETTINGS, LinkSettings, rank_candidates
from truce.workflow.visibility import MISSION_ROLES, Published, Reader, may_see, redact

if TYPE_CHECKING:
    from truce.workflow.findings import FindingState

__all__ = ["Casework"]


class Casework:
    """Allegation steps, verification tasks, findings, approvals, replies, histories."""

    store: Store
    clock: Callable[[], datetime]

    # Provided by Mission.
    new_record: Callable[..., dict[str, Any]]
    submit_record: Callable[[Mapping[str, Any], Signer], Receipt]
    _signer_of: Callable[[str], KeyState]
    _view: Callable[..., RecordView]
    _log_access: Callable[[Reader, str, Sequence[str]], None]

    # -- writing ---------------------------------------------------------------

    def step_allegation(
        self,
        ref: str,
        state: str,
        signer: Signer,
        *,
        reason: str | None = None,
        finding: str | None = None,
        comment: str | None = None,
    ) -> Receipt:
        """Move an allegation to ``state`` (see :mod:`truce.workflow.lifecycle`)."""
        body: dict[str, Any] = {"allegation": self._full(ref), "state": state}
        body |= _given(reason=reason, comment=comment)
        if finding is not None:
            body["finding"] = self._full(finding)
        return self.submit_record(self.new_record("allegation_step", body), signer)

    def add_task(
        self, ref: str, task: str, detail: str, signer: Signer, *, due: datetime | None = None
    ) -> Receipt:
        """Record a verification task for an allegation under verification."""
        body: dict[str, Any] = {"allegation": self._full(ref), "task": task, "detail": detail}
        if due is not None:
            body["due"] = format_utc(due)
        return self.submit_record(self.new_record("verification_task", body), signer)

    def link(
        self,
        allegation: str,
        observation: str,
        signer: Signer,
        *,
        reason: str,
        score: float | None = None,
    ) -> Receipt:
        """Confirm that ``observation`` bears on ``allegation`` (an analyst's link)."""
        body: dict[str, Any] = {
            "allegation": self._full(allegation),
            "observation": self._full(observation),
            "reason": reason,
        }
        if score is not None:
            body["score"] = score
        return self.submit_record(self.new_record("link", body), signer)

    def correct(
        self,
        ref: str,
        signer: Signer,
        *,
        reason: str,
        replacement: Mapping[str, Any] | None = None,
    ) -> list[Receipt]:
        """Supersede record ``ref``: with ``replacement`` (a record of the same
        type, stored in the same atomic batch) it is replaced, without it withdrawn.
        The original stays in the log and in every history."""
        original = self.store.resolve(ref)
        envelopes = []
        sealed: dict[str, list[Reveal]] = {}
        body: dict[str, Any] = {"supersedes": original.record_id, "reason": reason}
        if replacement is not None:
            kind = str(replacement.get("type", original.kind))
            if kind != original.kind:
                raise ValidationError(
                    f"a {original.kind} is replaced by a {original.kind}, not a {kind}",
                    field="replacement.type",
                )
            fields = {k: v for k, v in replacement.items() if k not in ("type", "mission")}
            new, reveals = self.seal_and_sign(self.new_record(kind, fields), signer)
            reveals += self._kept_reveals(original, fields)
            envelopes.append(new)
            if reveals:
                sealed[new.record_id] = reveals
            body["replacement"] = new.record_id
        envelopes.append(self.sign(self.new_record("correction", body), signer))
        return self.submit(envelopes, reveals=sealed)

    def _kept_reveals(self, original: StoredRecord, fields: Mapping[str, Any]) -> list[Reveal]:
        """The original's reveals for the sealed fields a replacement keeps as they
        were (the same commitment): the mission holds their values already."""
        kept = fields.get("sealed")
        if not isinstance(kept, Mapping):
            return []
        mine = parse_record(original.payload)
        before = dict(getattr(mine, "sealed", None) or {})
        return [
            r
            for r in self.reveals(original.record_id)
            if kept.get(r.path) is not None and kept.get(r.path) == before.get(r.path)
        ]

    def latest(self, ref: str) -> str | None:
        """The id of the standing version of record ``ref``: itself, the end of its
        chain of replacements, or None if a correction withdrew it."""
        current = self.store.resolve(ref).record_id
        for _ in range(10_000):
            found = next(iter(self.store.scan(kinds=["correction"], subject=current)), None)
            if found is None:
                return current
            correction = parse_record(found.payload)
            assert isinstance(correction, Correction)
            if correction.replacement is None:
                return None
            current = correction.replacement
        raise Conflict(f"the corrections of record {ref} form a chain too long to follow")

    def draft_finding(
        self,
        signer: Signer,
        *,
        term: tuple[str, int],
        certainty: str,
        outcome: str,
        summary: str,
        allegations: Sequence[str] = (),
        observations: Sequence[str] = (),
        attributed_to: str | None = None,
        basis: str | None = None,
        not_attributed: str | None = None,
    ) -> Receipt:
        """Draft a finding; it is the mission's ruling only once another person approves it."""
        if (attributed_to is None) == (not_attributed is None):
            raise ValidationError(
                "give either attributed_to (with basis) or not_attributed (the reason)",
                field="attribution",
            )
        attribution: dict[str, Any]
        if attributed_to is not None:
            attribution = {"status": "attributed", "party": attributed_to, "basis": basis or ""}
        else:
            attribution = {"status": "not_attributed", "reason": not_attributed}
        body = {
            "allegations": [self._full(r) for r in allegations],
            "observations": [self._full(r) for r in observations],
            "term": {"id": term[0], "agreement_version": term[1]},
            "certainty": certainty,
            "outcome": outcome,
            "attribution": attribution,
            "summary": summary,
        }
        return self.submit_record(self.new_record("finding", body), signer)

    def decide_finding(
        self,
        ref: str,
        signer: Signer,
        *,
        reply_window_days: int | None = None,
        returned: str | None = None,
    ) -> Receipt:
        """Approve a drafted finding, opening the reply window (default
        :data:`~truce.workflow.findings.DEFAULT_REPLY_WINDOW_DAYS`), or return it
        with a reason."""
        body: dict[str, Any] = {"finding": self._full(ref)}
        if returned is not None:
            body |= {"decision": "returned", "reason": returned}
        else:
            days = DEFAULT_REPLY_WINDOW_DAYS if reply_window_days is None else reply_window_days
            body |= {"decision": "approved", "reply_window_days": days}
        return self.submit_record(self.new_record("approval", body), signer)

    def reply_to_finding(self, ref: str, signer: Signer, body: str, *, party: str) -> Receipt:
        """A party's reply to an approved finding, before its deadline."""
        record = {"finding": self._full(ref), "party": party, "body": body}
        return self.submit_record(self.new_record("reply", record), signer)

    # -- reading ---------------------------------------------------------------

    def history(self, ref: str, *, reader: Reader | None = None) -> History:
        """A record's full history from the store's indexes (see :mod:`truce.workflow.history`)."""
        stored = self.store.resolve(ref)
        state: Published | None = None
        if reader is not None:
            state = self._published()
            self._require_visible(reader, stored, state)
        related = self._related()
        about = [related.linked(s) for s in self.store.scan(subject=stored.record_id)]
        if stored.kind == "observation":  # findings and links name it; it is not their subject
            about += [
                related.linked(s)
                for s in self.store.scan(kinds=["finding", "link"])
                if cites(parse_record(s.payload), stored.record_id)
            ]
        elif stored.kind == "allegation":
            about += [
                related.linked(s)
                for s in self.store.scan(kinds=["finding"])
                if cites(parse_record(s.payload), stored.record_id)
            ]
        corrections = [
            related.linked(c)
            for x in about
            for c in self.store.scan(kinds=["correction"], subject=x.record_id)
        ]
        found = build_history(related.linked(stored), [*about, *corrections])
        if reader is None or state is None:
            return found
        events = found.events
        visible = tuple(
            e for e in events if may_see(reader, e.record_id, self._record(e.record_id), state)
        )
        self._log_access(reader, "history", [found.record_id])
        return History(
            found.record_id, found.kind, visible, found.corrected_by, found.state, found.finding
        )

    def read(self, ref: str, reader: Reader) -> RecordView:
        """One record as ``reader`` may see it; AuthError if it may not."""
        stored = self.store.resolve(ref)
        record = self._require_visible(reader, stored, self._published())
        view = self._view(stored)
        self._log_access(reader, "read", [stored.record_id])
        if reader.role in MISSION_ROLES:
            return view
        payload = redact(reader, record, json.loads(stored.payload))
        # The signed envelope would reveal what was withheld: not shown outside the mission.
        return replace(view, record=payload, envelope={}, compliance=())

    def allegation_states(self, *, reader: Reader) -> Iterator[dict[str, Any]]:
        """The analysts' queue: every allegation with its parties and lifecycle state."""
        check_may(reader.role, "workflow.queue")
        related = self._related()
        for stored in self.store.scan(kinds=["allegation"]):
            record = parse_record(stored.payload)
            assert isinstance(record, Allegation)
            yield {
                "record_id": stored.record_id,
                "party": record.party,
                "against": record.against,
                "category": record.claim.category,
                "state": state_of(related.steps(stored.record_id)),
                "synthetic": stored.synthetic,
            }

    def link_candidates(
        self,
        ref: str,
        *,
        reader: Reader,
        limit: int | None = 10,
        settings: LinkSettings | None = None,
    ) -> list[dict[str, Any]]:
        """Observations that may match allegation ``ref``, ranked by place, time,
        type and the compliance engine's rulings, each with its reasons; those an
        analyst already linked say so (``linked``)."""
        check_may(reader.role, "allegation.candidates")
        target = self._related().target(self._full(ref), "allegation", "ref")
        allegation = target.record
        assert isinstance(allegation, Allegation)
        chosen = settings or DEFAULT_SETTINGS
        start, end = allegation.claim.time.interval()
        window = chosen.max_gap + timedelta(days=1)
        withdrawn = {s.subject for s in self.store.scan(kinds=["correction"])}
        observations = [
            (stored.record_id, record)
            for stored in self.store.scan(
                kinds=["observation"],
                event_from=format_utc(start - window),
                event_to=format_utc(end + window),
            )
            if stored.record_id not in withdrawn
            and isinstance(record := parse_record(stored.payload), Observation)
        ]
        assessments: dict[str, list[dict[str, Any]]] = {}
        for row in self.store.assessments():
            assessments.setdefault(row.record_id, []).append(assessment_dict(row))
        ranked = rank_candidates(
            allegation, observations, assessments=assessments, settings=chosen, limit=limit
        )
        linked = {
            x.record.observation
            for x in self._related().about(target.record_id, {"link"})
            if isinstance(x.record, Link)
        }
        return [c.to_dict() | {"linked": c.observation in linked} for c in ranked]

    def links(self, ref: str) -> list[dict[str, Any]]:
        """The standing links of allegation ``ref``: observation, reason, who, when."""
        out = []
        for x in self._related().about(self._full(ref), {"link"}):
            assert isinstance(x.record, Link)
            out.append(
                {
                    "link": x.record_id,
                    "observation": x.record.observation,
                    "reason": x.record.reason,
                    "score": x.record.score,
                    "by": x.principal,
                    "at": format_utc(x.signed_at),
                }
            )
        return out

    def coverage(
        self,
        *,
        reader: Reader,
        days: Sequence[date] | None = None,
        settings: CoverageSettings | None = None,
    ) -> CoverageSummary:
        """What share of the contact area and of the protected sites the mission
        could see each day, and the access restrictions it met (against the latest
        agreement version's geography; see :mod:`truce.workflow.coverage`)."""
        check_may(reader.role, "coverage.read")
        withdrawn = {s.subject for s in self.store.scan(kinds=["correction"])}
        records = [
            record
            for stored in self.store.scan(kinds=["coverage"])
            if stored.record_id not in withdrawn
            and isinstance(record := parse_record(stored.payload), Coverage)
        ]
        return summarise_coverage(records, self.agreement(), days=days, settings=settings)

    def notifications(self, party: str, *, reader: Reader) -> list[dict[str, Any]]:
        """Approved findings as ``party`` is notified of them: when, and until when to reply.

        Both parties get the same list with the same instants (parity). A party
        reads its own notifications; the mission reads any party's.
        """
        check_may(reader.role, "workflow.read")
        if not party:
            raise ValidationError("name a party", field="party")
        if reader.role == "party" and reader.party != party:
            raise AuthError(f"party {reader.party} may not read party {party}'s notifications")
        out = []
        for stored in self.store.scan(kinds=["finding"]):
            state = self._finding_state(stored)
            if state.status != "approved":
                continue
            assert state.notified_at is not None and state.reply_by is not None
            out.append(
                {
                    "finding": stored.record_id,
                    "notified_at": format_utc(state.notified_at),
                    "reply_by": format_utc(state.reply_by),
                    "replied": party in state.replies,
                }
            )
        self._log_access(reader, "notifications", [str(n["finding"]) for n in out])
        return out

    # -- helpers ---------------------------------------------------------------

    agreement: Callable[..., Agreement]
    sign: Callable[..., Envelope]
    seal_and_sign: Callable[..., tuple[Envelope, list[Reveal]]]
    submit: Callable[..., list[Receipt]]
    reveals: Callable[[str], list[Reveal]]

    def _full(self, ref: str) -> str:
        try:
            return self.store.resolve(ref).record_id
        except NotFound:
            raise ValidationError(f"no record {ref}", field="ref") from None

    def _record(self, ref: str) -> Record:
        return parse_record(self.store.get(ref).payload)

    def _related(self) -> Related:
        return Related(self.store, self._signer_of)

    def _finding_state(self, stored: StoredRecord) -> FindingState:
        related = self._related()
        return finding_state(
            related.linked(stored),
            related.about(stored.record_id, {"approval"}),
            related.about(stored.record_id, {"reply"}),
        )

    def _published(self) -> Published:
        approved_cites: set[str] = set()
        states: dict[str, FindingState] = {}
        for stored in self.store.scan(kinds=["finding"]):
            state = self._finding_state(stored)
            states[stored.record_id] = state
            finding = parse_record(stored.payload)
            assert isinstance(finding, Finding)
            if state.status == "approved":
                approved_cites.update(finding.allegations, finding.observations)

        def record(ref: str) -> Record | None:
            try:
                return parse_record(self.store.get(ref).payload)
            except NotFound:
                return None

        return Published(states.get, approved_cites.__contains__, record, self.clock())

    def _require_visible(self, reader: Reader, stored: StoredRecord, state: Published) -> Record:
        check_may(reader.role, "record.read")
        record = parse_record(stored.payload)
        if not may_see(reader, stored.record_id, record, state):
            who = f"party {reader.party}" if reader.party else f"a {reader.role}"
            raise AuthError(f"{who} may not read record {stored.record_id[:12]} ({stored.kind})")
        return record


def _given(**fields: str | None) -> dict[str, str]:
    return {k: v for k, v in fields.items() if v is not None}
