"""``correction``: a new entry that supersedes an earlier one.

Nothing is deleted or edited in place. A correction names the record it
supersedes and why; with a ``replacement`` the earlier record is replaced by
that one, without it the earlier record is withdrawn.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import model_validator

from truce.records._model import raise_problems
from truce.records.common import RecordRef, Text
from truce.records.header import RecordHeader

__all__ = ["Correction"]


class Correction(RecordHeader):
    """Supersedes ``supersedes``; ``replacement`` absent means the record is withdrawn."""

    type: Literal["correction"] = "correction"
    supersedes: RecordRef
    reason: Text
    replacement: RecordRef | None = None

    @property
    def withdrawn(self) -> bool:
        """True when the superseded record is withdrawn rather than replaced."""
        return self.replacement is None

    @model_validator(mode="after")
    def _not_self(self) -> Self:
        if self.replacement == self.supersedes:
            raise_problems(
                "Correction", [(("replacement",), "must differ from the superseded record")]
            )
        return self
