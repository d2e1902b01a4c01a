"""``correspondence`` and ``acknowledgement``: the parties' channel through the mission.

The parties write to each other through the mission (consular and legal
questions, repair windows...). Messages form **threads**: the first message
opens one and sets who may read the content, ``content``:

* ``public`` — the body is plain text (the log is public, so anyone can read it);
* ``mission`` — the body is encrypted to both parties' keys and the mission's;
* ``parties`` — the body is encrypted to both parties' keys only: the mission
  carries and logs the message, and reads its metadata (who, to whom, when,
  subject, deadline, receipts), never its content.

An encrypted body is ``sealed_body``: one libsodium sealed box of the same
plain text per recipient key (:mod:`truce.sealing`). Later messages name the
``thread`` (the opening message's id) and may name the message they answer
(``in_reply_to``); they inherit the thread's content rule. A message may set a
deadline for the answer (``reply_by``). The recipient confirms receipt with an
``acknowledgement``; the thread rules (same two parties, content as the
thread says, one acknowledgement per message) are checked at intake.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, TypeAlias, get_args

from pydantic import Field, StringConstraints, model_validator

from truce.records._model import NOT_BLANK, Problem, StrictModel, duplicates, raise_problems
from truce.records.common import KeyId, LongText, Party, RecordRef, UtcDatetime
from truce.records.header import RecordHeader

__all__ = [
    "CONTENT_RULES",
    "Acknowledgement",
    "ContentRule",
    "Correspondence",
    "LanguageTag",
    "SealedFor",
    "Subject",
]

#: A message subject: 1..300 characters, not blank.
Subject: TypeAlias = Annotated[str, StringConstraints(max_length=300), NOT_BLANK]
#: A BCP-47-style language tag such as ``uk``, ``en-GB`` or ``sr-Latn-RS`` (<= 35 chars).
LanguageTag: TypeAlias = Annotated[
    str,
    StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"),
]
#: Who may read a thread's content (set by its first message).
ContentRule = Literal["public", "mission", "parties"]
CONTENT_RULES: tuple[str, ...] = get_args(ContentRule)
#: Base64 of a sealed box: at most 20,000 characters of text plus its overhead.
_Box: TypeAlias = Annotated[
    str, StringConstraints(min_length=64, max_length=110_000, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
]


class SealedFor(StrictModel):
    """The body sealed to one recipient key (base64 of a libsodium sealed box)."""

    keyid: KeyId
    box: _Box


class Correspondence(RecordHeader):
    """A message from one party to the other (they differ)."""

    type: Literal["correspondence"] = "correspondence"
    from_party: Party
    to_party: Party
    subject: Subject
    body: LongText | None = None
    sealed_body: tuple[SealedFor, ...] | None = Field(default=None, min_length=2, max_length=16)
    thread: RecordRef | None = None
    in_reply_to: RecordRef | None = None
    content: ContentRule | None = None
    reply_by: UtcDatetime | None = None
    language: LanguageTag | None = None

    @property
    def opens_thread(self) -> bool:
        """True for the first message of a thread."""
        return self.thread is None

    @model_validator(mode="after")
    def _message_rules(self) -> Self:
        problems: list[Problem] = []
        if self.to_party == self.from_party:
            problems.append((("to_party",), "must differ from from_party"))
        if (self.body is None) == (self.sealed_body is None):
            problems.append((("body",), "give exactly one of body (plain) or sealed_body"))
        if self.sealed_body is not None:
            problems.extend(duplicates("sealed_body", [s.keyid for s in self.sealed_body]))
        if self.thread is None:
            if self.content is None:
                problems.append((("content",), "required on the first message of a thread"))
            elif (self.content == "public") != (self.body is not None):
                wants = "a plain body" if self.content == "public" else "a sealed_body"
                problems.append((("content",), f"a {self.content} thread needs {wants}"))
            if self.in_reply_to is not None:
                problems.append((("in_reply_to",), "a reply must name its thread"))
        elif self.content is not None:
            problems.append((("content",), "set by the thread's first message, not a reply"))
        if self.reply_by is not None and self.reply_by <= self.signed_at:
            problems.append((("reply_by",), "must be after signed_at"))
        raise_problems("Correspondence", problems)
        return self


class Acknowledgement(RecordHeader):
    """``party`` (the recipient) confirms it received ``message``."""

    type: Literal["acknowledgement"] = "acknowledgement"
    message: RecordRef
    party: Party
