"""``correspondence``: a message between the parties, carried and logged by the mission."""

from __future__ import annotations

from typing import Annotated, Literal, Self, TypeAlias

from pydantic import StringConstraints, model_validator

from truce.records._model import NOT_BLANK, raise_problems
from truce.records.common import LongText, Party, RecordRef
from truce.records.header import RecordHeader

__all__ = ["Correspondence", "LanguageTag", "Subject"]

#: A message subject: 1..300 characters, not blank.
Subject: TypeAlias = Annotated[str, StringConstraints(max_length=300), NOT_BLANK]
#: A BCP-47-style language tag such as ``uk``, ``en-GB`` or ``sr-Latn-RS`` (<= 35 chars).
LanguageTag: TypeAlias = Annotated[
    str,
    StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"),
]


class Correspondence(RecordHeader):
    """A message from one party to the other (they differ)."""

    type: Literal["correspondence"] = "correspondence"
    from_party: Party
    to_party: Party
    subject: Subject
    body: LongText
    in_reply_to: RecordRef | None = None
    language: LanguageTag | None = None

    @model_validator(mode="after")
    def _two_parties(self) -> Self:
        if self.to_party == self.from_party:
            raise_problems("Correspondence", [(("to_party",), "must differ from from_party")])
        return self
