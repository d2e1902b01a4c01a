"""A record linked to another (a step of an allegation, an approval of a finding...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from truce.records import Record

__all__ = ["Linked"]


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
