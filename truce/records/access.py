"""``access`` and ``release``: parity of what the parties read, and when.

DESIGN §8: both parties get the same data at the same release time through the
same interface, and each party's access is itself logged and visible to the
other. So:

* an ``access`` record, signed by the mission's own key at the moment of the
  read, says which party (and which of its keys) read what — record ids, a
  thread, a report — through which operation. It is an entry of the log like
  any other: the mission cannot later hide or invent a read without a fork
  anyone can detect.
* a ``release`` record, signed by an approver, releases a report (addressed
  by SHA-256, its bytes stored as a blob) to the parties at one instant,
  ``release_at``: neither party can read it before, both can after.
"""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import Field, model_validator

from truce.records._model import Problem, duplicates, raise_problems
from truce.records.common import Ident, KeyId, Name, Party, Sha256, UtcDatetime
from truce.records.evidence import MediaType
from truce.records.header import RecordHeader

__all__ = ["ACCESS_ACTIONS", "Access", "AccessAction", "Release"]

#: What a party read: a record, a record's history, its notifications, a
#: correspondence thread, a released report.
AccessAction = Literal["read", "history", "notifications", "thread", "report"]
ACCESS_ACTIONS: tuple[str, ...] = get_args(AccessAction)


class Access(RecordHeader):
    """Party ``party`` (key ``reader``) read ``items`` through ``action``."""

    type: Literal["access"] = "access"
    party: Party
    reader: KeyId | None = None
    action: AccessAction
    items: tuple[Ident, ...] = Field(default=(), max_length=1000)


class Release(RecordHeader):
    """Report ``report`` (SHA-256 of its bytes) released to ``parties`` at ``release_at``."""

    type: Literal["release"] = "release"
    report: Sha256
    title: Name
    media_type: MediaType
    size: int = Field(ge=0, le=64 * 1024 * 1024)
    release_at: UtcDatetime
    parties: tuple[Party, ...] = Field(min_length=2, max_length=16)

    @model_validator(mode="after")
    def _release_rules(self) -> Self:
        problems: list[Problem] = list(duplicates("parties", self.parties))
        if self.release_at < self.signed_at:
            problems.append((("release_at",), "must not be before signed_at"))
        raise_problems("Release", problems)
        return self
