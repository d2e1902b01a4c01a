"""How people read stored records: :class:`RecordView`, assessment dicts, and the
facade's record reads (:class:`Reading`, a mixin of :class:`truce.mission.Mission`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from truce.records import parse_record, summary
from truce.store import Assessment, KeyState, Store, StoredRecord

__all__ = ["Reading", "RecordView", "assessment_dict"]


@dataclass(frozen=True)
class RecordView:
    """A stored record as people read it: who signed it, when, what, and its corrections."""

    seq: int
    record_id: str
    kind: str
    signer: str
    role: str
    party: str | None
    signed_at: str
    accepted_at: str
    event_time: str | None
    synthetic: bool
    summary: str
    record: dict[str, Any]
    envelope: dict[str, Any]
    corrected_by: tuple[str, ...] = ()
    #: Compliance assessments of the event (each a dict: term, list, status, explanation).
    compliance: tuple[dict[str, Any], ...] = ()

    @property
    def corrected(self) -> bool:
        return bool(self.corrected_by)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "record_id": self.record_id,
            "kind": self.kind,
            "signer": {"principal": self.signer, "role": self.role, "party": self.party},
            "signed_at": self.signed_at,
            "accepted_at": self.accepted_at,
            "event_time": self.event_time,
            "synthetic": self.synthetic,
            "summary": self.summary,
            "corrected_by": list(self.corrected_by),
            "compliance": list(self.compliance),
            "record": self.record,
            "envelope": self.envelope,
        }


def assessment_dict(a: Assessment) -> dict[str, Any]:
    """An assessment as a plain dict (its explanation parsed)."""
    return {
        "agreement": f"{a.agreement_id}@{a.version}",
        "term": a.term_id,
        "list": a.list_id or None,
        "status": a.status,
        "day": a.event_day,
        "region": a.region or None,
        "explanation": json.loads(a.explanation),
    }


class Reading:
    """Records by id or in log order, as :class:`RecordView`, and JSON Lines export."""

    store: Store
    _signer_of: Callable[[str], KeyState]

    def _view(self, stored: StoredRecord, *, corrections: bool = True) -> RecordView:
        record = parse_record(stored.payload)
        signer = self._signer_of(stored.keyid)
        corrected_by: tuple[str, ...] = ()
        if corrections:
            corrected_by = tuple(
                r.record_id for r in self.store.scan(kinds=["correction"], subject=stored.record_id)
            )
        return RecordView(
            seq=stored.seq,
            record_id=stored.record_id,
            kind=stored.kind,
            signer=signer.principal,
            role=signer.role,
            party=signer.party,
            signed_at=stored.signed_at,
            accepted_at=stored.accepted_at,
            event_time=stored.event_time,
            synthetic=stored.synthetic,
            summary=summary(record),
            record=json.loads(stored.payload),
            envelope=json.loads(stored.entry),
            corrected_by=corrected_by,
            compliance=tuple(
                assessment_dict(a) for a in self.store.assessments(record_id=stored.record_id)
            )
            if corrections
            else (),
        )

    def show(self, ref: str) -> RecordView:
        """One record by id, unique id prefix (>= 6 hex) or ``#seq``."""
        return self._view(self.store.resolve(ref))

    def records(
        self,
        *,
        kinds: Sequence[str] | None = None,
        since_seq: int = 0,
        limit: int | None = None,
        descending: bool = False,
        corrections: bool = True,
    ) -> Iterator[RecordView]:
        corrected: set[str] = set()
        if corrections:
            corrected = {r.subject or "" for r in self.store.scan(kinds=["correction"])}
        for stored in self.store.scan(
            kinds=kinds, since_seq=since_seq, limit=limit, descending=descending
        ):
            view = self._view(stored, corrections=stored.record_id in corrected)
            yield view

    def export(self, out: IO[str], *, kinds: Sequence[str] | None = None) -> int:
        """Write every record as JSON Lines (record, envelope, seq); returns the count."""
        n = 0
        for stored in self.store.scan(kinds=kinds):
            line = {
                "seq": stored.seq,
                "record_id": stored.record_id,
                "kind": stored.kind,
                "accepted_at": stored.accepted_at,
                "record": json.loads(stored.payload),
                "envelope": json.loads(stored.entry),
            }
            out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        return n
