"""A record's full history: itself, what is linked to it, and where it stands now.

The history of a record is every record *about* it — its corrections; for an
allegation its steps, verification tasks and the findings that cite it; for a
finding its approval and the parties' replies — in log order, with the state
that results (an allegation's lifecycle state; a finding's approval, reply
deadline and replies). Records withdrawn or replaced by a correction stay in
the history, marked, and no longer count towards the state.

:func:`build_history` is one pure fold over linked records. The mission feeds
it from the store's indexes (:meth:`truce.mission.Mission.history`);
:func:`history_from_entries` feeds it from the log's entries alone (the
envelopes, as published), replaying key records to name the signers. Both
must give the same :class:`History` — a test checks it on every record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from truce.envelopes import Envelope
from truce.records import (
    Allegation,
    AllegationStep,
    Approval,
    Correction,
    Finding,
    KeyEvent,
    Link,
    Record,
    Reply,
    format_utc,
    parse_record,
    subject,
    summary,
)
from truce.workflow.findings import FindingState, finding_state
from truce.workflow.lifecycle import state_of
from truce.workflow.linked import Linked

__all__ = ["Event", "History", "build_history", "cites", "history_from_entries", "relation"]

_RELATIONS = {
    "correction": "correction",
    "allegation_step": "step",
    "verification_task": "task",
    "approval": "approval",
    "reply": "reply",
    "finding": "cited_by",
    "correspondence": "in_thread",
    "acknowledgement": "receipt",
    "link": "link",
}


@dataclass(frozen=True)
class Event:
    """One record in a history."""

    seq: int
    record_id: str
    kind: str
    relation: str  #: ``record`` (the record itself), ``correction``, ``step``, ``task``...
    signer: str  #: the signer's principal
    signed_at: str
    summary: str
    withdrawn: bool  #: superseded by a correction

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "record_id": self.record_id,
            "kind": self.kind,
            "relation": self.relation,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "summary": self.summary,
            "withdrawn": self.withdrawn,
        }


@dataclass(frozen=True)
class History:
    """A record, everything linked to it in log order, and its resulting state."""

    record_id: str
    kind: str
    events: tuple[Event, ...]
    corrected_by: tuple[str, ...]
    state: str | None  #: an allegation's lifecycle state (None for other kinds)
    finding: FindingState | None  #: a finding's approval and replies (None for other kinds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "kind": self.kind,
            "corrected": bool(self.corrected_by),
            "corrected_by": list(self.corrected_by),
            "state": self.state,
            "finding": self.finding.to_dict() if self.finding else None,
            "events": [e.to_dict() for e in self.events],
        }


def cites(record: Record, target: str) -> bool:
    """Whether ``record`` is about ``target`` (its subject, a finding citing it, or a
    link naming it)."""
    if isinstance(record, Finding):
        return target in record.allegations or target in record.observations
    if isinstance(record, Link):
        return target in (record.allegation, record.observation)
    return subject(record) == target


def relation(kind: str) -> str:
    """How a record of ``kind`` relates to the record it is about."""
    return _RELATIONS.get(kind, "linked")


def build_history(target: Linked, linked: Iterable[Linked]) -> History:
    """The history of ``target`` from the records about it and their corrections.

    ``linked`` holds every record about ``target`` (see :func:`cites`) and
    every correction of those records, in any order; others are ignored.
    """
    rows = sorted({x.record_id: x for x in linked}.values(), key=lambda x: x.seq)
    withdrawn = {x.record.supersedes for x in rows if isinstance(x.record, Correction)} - {
        target.record_id
    }
    about = [x for x in rows if cites(x.record, target.record_id)]
    corrected_by = tuple(
        x.record_id
        for x in about
        if isinstance(x.record, Correction) and x.record.supersedes == target.record_id
    )
    standing = [x for x in about if x.record_id not in withdrawn]
    state: str | None = None
    finding: FindingState | None = None
    if isinstance(target.record, Allegation):
        steps = [x.record for x in standing if isinstance(x.record, AllegationStep)]
        state = state_of(steps)
    if isinstance(target.record, Finding):
        approvals = [x for x in standing if isinstance(x.record, Approval)]
        replies = [x for x in standing if isinstance(x.record, Reply)]
        finding = finding_state(target, approvals, replies)
    events = [_event(target, "record", withdrawn=False)]
    events += [_event(x, relation(x.record.type), x.record_id in withdrawn) for x in about]
    return History(
        target.record_id, target.record.type, tuple(events), corrected_by, state, finding
    )


def _event(x: Linked, rel: str, withdrawn: bool) -> Event:
    return Event(
        x.seq,
        x.record_id,
        x.record.type,
        rel,
        x.principal,
        format_utc(x.record.signed_at),
        summary(x.record),
        withdrawn,
    )


def history_from_entries(target_id: str, entries: Iterable[bytes]) -> History:
    """The history of record ``target_id`` from the log's entries alone (in log order).

    Raises KeyError if no entry is that record.
    """
    principals: dict[str, str] = {}
    records: list[Linked] = []
    for seq, entry in enumerate(entries):
        envelope = Envelope.from_json(entry)
        record = parse_record(envelope.payload)
        if isinstance(record, KeyEvent) and record.principal is not None:
            principals[record.keyid] = record.principal
        keyid = envelope.signatures[0].keyid
        rid = hashlib.sha256(envelope.payload).hexdigest()
        records.append(Linked(rid, record, keyid, principals.get(keyid, ""), seq))
    found = [x for x in records if x.record_id == target_id]
    if not found:
        raise KeyError(target_id)
    target = found[0]
    about = {x.record_id for x in records if cites(x.record, target_id)}
    linked = [
        x
        for x in records
        if x.record_id in about
        or (isinstance(x.record, Correction) and x.record.supersedes in about)
    ]
    return build_history(target, linked)
