"""Intake's workflow checks: the lifecycle, four eyes and reply rules, against the log.

:class:`truce.intake.gate.Gate` calls :func:`check_workflow` for the workflow
record types; the rules themselves are in :mod:`truce.workflow`. The records a
rule needs (an allegation's steps, a finding's approvals and replies) are read
through :class:`Related`: the store's subject index plus the records earlier
in the same batch, less those a correction supersedes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from truce.agreement.book import AgreementBook
from truce.errors import AuthError, NotFound, ValidationError
from truce.records import (
    AllegationStep,
    Approval,
    Attributed,
    Finding,
    Record,
    Reply,
    VerificationTask,
    parse_record,
)
from truce.store import KeyState, Store
from truce.workflow import (
    Linked,
    check_approval,
    check_reply,
    check_step,
    check_task,
    finding_state,
)

__all__ = ["Related", "check_workflow"]


class _Batched(Protocol):
    @property
    def record(self) -> Record: ...
    @property
    def signer(self) -> KeyState: ...


@dataclass
class Related:
    """Looks up records and the records about them, in the store and the batch so far."""

    store: Store
    batch: Mapping[str, _Batched]
    base: int  #: the store's size when the batch started
    key: Callable[[str], KeyState | None]

    def target(self, ref: str, kind: str, field: str) -> Linked:
        """The record ``ref``, which must be a ``kind``."""
        if ref in self.batch:
            item = self.batch[ref]
            seq = self.base + list(self.batch).index(ref)
            found = Linked(ref, item.record, item.signer.keyid, item.signer.principal, seq)
        else:
            try:
                stored = self.store.get(ref)
            except NotFound:
                raise ValidationError(f"no record {ref}", field=field) from None
            key = self.key(stored.keyid)
            found = Linked(
                ref,
                parse_record(stored.payload),
                stored.keyid,
                key.principal if key else "",
                stored.seq,
            )
        if found.record.type != kind:
            raise ValidationError(
                f"record {ref[:12]} is a {found.record.type}, expected {kind}", field=field
            )
        return found

    def about(self, ref: str, kinds: Collection[str]) -> list[Linked]:
        """The standing records of ``kinds`` about ``ref``, in log order."""
        found: list[Linked] = []
        for stored in self.store.scan(subject=ref, kinds=list(kinds)):
            key = self.key(stored.keyid)
            found.append(
                Linked(
                    stored.record_id,
                    parse_record(stored.payload),
                    stored.keyid,
                    key.principal if key else "",
                    stored.seq,
                )
            )
        for i, (rid, item) in enumerate(self.batch.items()):
            record = item.record
            if record.type in kinds and _subject_of(record) == ref:
                found.append(
                    Linked(rid, record, item.signer.keyid, item.signer.principal, self.base + i)
                )
        return [x for x in found if not self._superseded(x.record_id)]

    def _superseded(self, ref: str) -> bool:
        if any(True for _ in self.store.scan(kinds=["correction"], subject=ref, limit=1)):
            return True
        return any(
            item.record.type == "correction" and getattr(item.record, "supersedes", None) == ref
            for item in self.batch.values()
        )


def _steps(linked: list[Linked]) -> list[AllegationStep]:
    return [x.record for x in linked if isinstance(x.record, AllegationStep)]


def _subject_of(record: Record) -> str | None:
    if isinstance(record, AllegationStep | VerificationTask):
        return record.allegation
    if isinstance(record, Approval | Reply):
        return record.finding
    return None


def check_workflow(
    record: Record,
    signer: KeyState,
    related: Related,
    now: datetime,
    agreements: AgreementBook,
) -> None:
    """Raise unless ``record`` (signed by ``signer``) is a legal workflow step now."""
    if isinstance(record, AllegationStep):
        related.target(record.allegation, "allegation", "payload.allegation")
        steps = related.about(record.allegation, {"allegation_step"})
        check_step(record.allegation, _steps(steps), record)
        if record.finding is not None:
            draft = related.target(record.finding, "finding", "payload.finding")
            assert isinstance(draft.record, Finding)
            if record.allegation not in draft.record.allegations:
                raise ValidationError(
                    f"finding {record.finding[:12]} does not cite this allegation",
                    field="payload.finding",
                )
            state = finding_state(draft, related.about(record.finding, {"approval"}))
            if record.state == "confirmed" and state.status != "approved":
                raise ValidationError(
                    f"finding {record.finding[:12]} is {state.status}: an allegation is "
                    "confirmed only by an approved finding",
                    field="payload.finding",
                )
    elif isinstance(record, VerificationTask):
        related.target(record.allegation, "allegation", "payload.allegation")
        steps = related.about(record.allegation, {"allegation_step"})
        check_task(record.allegation, _steps(steps))
    elif isinstance(record, Approval):
        draft = related.target(record.finding, "finding", "payload.finding")
        me = Linked("", record, signer.keyid, signer.principal, -1)
        check_approval(draft, related.about(record.finding, {"approval"}), me)
    elif isinstance(record, Reply):
        if signer.party != record.party:
            raise AuthError(
                f"a key of party {signer.party} cannot reply for party {record.party}",
                keyid=signer.keyid,
            )
        draft = related.target(record.finding, "finding", "payload.finding")
        approvals = related.about(record.finding, {"approval"})
        replies = related.about(record.finding, {"reply"})
        check_reply(draft, approvals, replies, record, now)
    elif isinstance(record, Finding) and isinstance(record.attribution, Attributed):
        version = record.term.agreement_version
        stated = [
            a.evidentiary_standard
            for aid in agreements.ids()
            if (a := agreements.get(aid, version)) is not None
        ]
        if not any(stated):
            raise ValidationError(
                f"agreement version {version} states no evidentiary standard: a finding "
                "cannot attribute an act (use not_attributed and say why)",
                field="payload.attribution",
            )
        if record.certainty != "confirmed":
            raise ValidationError(
                f"attribution needs certainty confirmed under the agreement's evidentiary "
                f"standard, not {record.certainty} (use not_attributed and say why)",
                field="payload.attribution",
            )
