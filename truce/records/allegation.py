"""``allegation``: a party's claim against the other party.

The filing ``party`` and the accused party (``against``) differ. The ``claim``
says what (category/subtype, as for observations), where, when, optionally which
protected ``facility`` and which agreement ``term`` it invokes, with a
``description``; ``statement`` keeps the party's verbatim text.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from truce.records._model import Problem, StrictModel, duplicates, raise_problems
from truce.records.common import (
    Ident,
    Location,
    LongText,
    Name,
    Party,
    Sha256,
    TermRef,
    Text,
    TimeSpec,
)
from truce.records.header import RecordHeader
from truce.records.observation import Subtype
from truce.records.vocabulary import EventCategory, subtype_problem

__all__ = ["Allegation", "Claim", "Facility"]


class Facility(StrictModel):
    """A protected site in a geography layer, e.g. ``{"layer": "gppd", "id": "UKR0001234"}``."""

    layer: Ident
    id: Ident
    name: Name | None = None


class Claim(StrictModel):
    """What a party says happened, where and when."""

    category: EventCategory
    subtype: Subtype | None = None
    location: Location
    time: TimeSpec
    facility: Facility | None = None
    term: TermRef | None = None
    casualties: int | None = Field(default=None, ge=0, le=1_000_000)
    description: Text

    @model_validator(mode="after")
    def _subtype_rule(self) -> Self:
        why = subtype_problem(self.category, self.subtype)
        if why is not None:
            raise_problems("Claim", [(("subtype",), why)])
        return self


class Allegation(RecordHeader):
    """A party's claim (DESIGN §2): filed by ``party`` against ``against``."""

    type: Literal["allegation"] = "allegation"
    party: Party
    against: Party
    reference: Ident | None = None
    claim: Claim
    evidence: tuple[Sha256, ...] = Field(default=(), max_length=100)
    statement: LongText | None = None

    @model_validator(mode="after")
    def _allegation_rules(self) -> Self:
        problems: list[Problem] = []
        if self.against == self.party:
            problems.append((("against",), "must differ from party (the filing party)"))
        problems.extend(duplicates("evidence", self.evidence))
        raise_problems("Allegation", problems)
        return self
