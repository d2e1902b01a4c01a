"""The header every record type shares: mission, signing time, synthetic label, note.

Synthetic data rule (shared/data/README): a generated record says so twice,
``"synthetic": true`` and ``"source": "synthetic"``; one without the other is
rejected, so a synthetic record can never pass for a real one.
"""

from __future__ import annotations

from typing import Annotated, Self, TypeAlias

from pydantic import Field, StringConstraints, model_validator

from truce.records._model import NOT_BLANK, Problem, StrictModel, raise_problems
from truce.records.common import MissionId, Note, UtcDatetime

__all__ = ["SYNTHETIC_SOURCE", "RecordHeader", "SourceLabel"]

#: The ``source`` value that every synthetic record carries.
SYNTHETIC_SOURCE = "synthetic"

#: Where the record came from (an importer name, ``synthetic``...): 1..64 characters.
SourceLabel: TypeAlias = Annotated[str, StringConstraints(min_length=1, max_length=64), NOT_BLANK]


class RecordHeader(StrictModel):
    """Fields common to every record; each record type adds its ``type`` and body.

    Guarantees: ``signed_at`` is in UTC; ``synthetic`` is true exactly when
    ``source == "synthetic"``.
    """

    mission: MissionId
    signed_at: UtcDatetime
    synthetic: bool = False
    source: SourceLabel | None = None
    note: Note | None = Field(default=None)

    @model_validator(mode="after")
    def _synthetic_label(self) -> Self:
        problems: list[Problem] = []
        if self.synthetic and self.source != SYNTHETIC_SOURCE:
            problems.append((("source",), "a synthetic record must have source 'synthetic'"))
        if self.source == SYNTHETIC_SOURCE and not self.synthetic:
            problems.append((("synthetic",), "must be true when source is 'synthetic'"))
        raise_problems(type(self).__name__, problems)
        return self
