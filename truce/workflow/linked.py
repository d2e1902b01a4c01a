"""Records linked to another (a step of an allegation, an approval of a finding...).

:class:`Linked` is a record with its signer; :class:`Related` finds the
records about a record through the store's subject index — the one lookup
intake (with the batch being checked) and the facade (without) both use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from truce.errors import NotFound, ValidationError
from truce.records import AllegationStep, Correction, Record, parse_record, subject
from truce.store import KeyState, Store, StoredRecord

__all__ = ["Linked", "Related"]


@dataclass(frozen=True)
class Linked:
    """A record with who signed it, as the workflow rules need it."""

    record_id: str
    record: Record
    keyid: str
    principal: str
    seq: int

    @property
    def signed_at(self) -> datetime:
        return self.record.signed_at


class _Batched(Protocol):
    """A record admitted earlier in the same batch (:class:`truce.intake.gate.Admitted`)."""

    @property
    def record(self) -> Record: ...
    @property
    def signer(self) -> KeyState: ...


@dataclass
class Related:
    """Looks up records and the records about them: in the store and, at intake,
    in the batch being checked (``batch``, which starts at seq ``base``)."""

    store: Store
    key: Callable[[str], KeyState | None]
    batch: Mapping[str, _Batched] = field(default_factory=dict)
    base: int = 0

    def linked(self, stored: StoredRecord) -> Linked:
        """A stored record with its signer's principal."""
        key = self.key(stored.keyid)
        principal = key.principal if key else ""
        return Linked(
            stored.record_id, parse_record(stored.payload), stored.keyid, principal, stored.seq
        )

    def target(self, ref: str, kind: str, field: str) -> Linked:
        """The record ``ref``, which must be a ``kind``."""
        if ref in self.batch:
            item = self.batch[ref]
            seq = self.base + list(self.batch).index(ref)
            found = Linked(ref, item.record, item.signer.keyid, item.signer.principal, seq)
        else:
            try:
                found = self.linked(self.store.get(ref))
            except NotFound:
                raise ValidationError(f"no record {ref}", field=field) from None
        if found.record.type != kind:
            raise ValidationError(
                f"record {ref[:12]} is a {found.record.type}, expected {kind}", field=field
            )
        return found

    def about(self, ref: str, kinds: Collection[str]) -> list[Linked]:
        """The standing records of ``kinds`` about ``ref``, in log order."""
        found = [self.linked(s) for s in self.store.scan(subject=ref, kinds=list(kinds))]
        for i, (rid, item) in enumerate(self.batch.items()):
            record = item.record
            if record.type in kinds and subject(record) == ref:
                found.append(
                    Linked(rid, record, item.signer.keyid, item.signer.principal, self.base + i)
                )
        return [x for x in found if not self.superseded(x.record_id)]

    def steps(self, allegation: str) -> list[AllegationStep]:
        """The standing steps of ``allegation``, in log order."""
        linked = self.about(allegation, {"allegation_step"})
        return [x.record for x in linked if isinstance(x.record, AllegationStep)]

    def superseded(self, ref: str) -> bool:
        """Whether a correction supersedes record ``ref``."""
        if any(True for _ in self.store.scan(kinds=["correction"], subject=ref, limit=1)):
            return True
        return any(
            isinstance(item.record, Correction) and item.record.supersedes == ref
            for item in self.batch.values()
        )
