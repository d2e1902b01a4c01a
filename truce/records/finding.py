"""``finding``: the mission's ruling on the facts against one agreement term.

A draft finding cites at least one allegation or observation (by record id),
grades its certainty, states an outcome, and attributes the act to a party only
with a stated basis; otherwise it says why it does not. Approval is a separate
record (a later issue).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, TypeAlias

from pydantic import Field, model_validator

from truce.records._model import Problem, StrictModel, duplicates, raise_problems
from truce.records.common import Ident, Party, RecordRef, TermRef, Text
from truce.records.header import RecordHeader

__all__ = [
    "Attributed",
    "Attribution",
    "Certainty",
    "Finding",
    "NotAttributed",
    "Outcome",
]

Certainty = Literal["confirmed", "probable", "possible"]
Outcome = Literal["breach", "no_breach", "undetermined"]


class Attributed(StrictModel):
    """The act is attributed to ``party``, on the stated ``basis``."""

    status: Literal["attributed"] = "attributed"
    party: Party
    basis: Text


class NotAttributed(StrictModel):
    """No attribution, and why (e.g. the evidentiary standard is not met)."""

    status: Literal["not_attributed"] = "not_attributed"
    reason: Text


#: Attribution or its absence; the JSON key ``status`` tells which.
Attribution: TypeAlias = Annotated[Attributed | NotAttributed, Field(discriminator="status")]


class Finding(RecordHeader):
    """The mission's ruling (DESIGN §2); cites at least one allegation or observation."""

    type: Literal["finding"] = "finding"
    finding_id: Ident | None = None
    allegations: tuple[RecordRef, ...] = Field(default=(), max_length=1000)
    observations: tuple[RecordRef, ...] = Field(default=(), max_length=1000)
    term: TermRef
    certainty: Certainty
    outcome: Outcome
    attribution: Attribution
    summary: Text

    @model_validator(mode="after")
    def _finding_rules(self) -> Self:
        problems: list[Problem] = []
        if not self.allegations and not self.observations:
            problems.append(
                (("allegations",), "a finding must cite at least one allegation or observation")
            )
        problems.extend(duplicates("allegations", self.allegations))
        problems.extend(duplicates("observations", self.observations))
        raise_problems("Finding", problems)
        return self
