"""How people read stored records: :class:`RecordView` and assessment dicts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from truce.store import Assessment

__all__ = ["RecordView", "assessment_dict"]


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
