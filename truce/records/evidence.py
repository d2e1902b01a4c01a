"""``evidence``: an evidence file addressed by SHA-256, with one custody event.

Each custody step (captured, transferred, copied, examined, sealed, released)
is its own record about the same ``sha256``. Originals are kept apart from
working copies: a working copy (``original: false``) may name the file it was
``derived_from``; an original may not.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self, TypeAlias, get_args

from pydantic import Field, StringConstraints, model_validator

from truce.records._model import Problem, raise_problems
from truce.records.common import Pseudonym, Sha256, Text, UtcDatetime
from truce.records.header import RecordHeader

__all__ = ["CUSTODY_ACTIONS", "MAX_EVIDENCE_SIZE", "CustodyAction", "Evidence", "MediaType"]

CustodyAction = Literal["captured", "transferred", "copied", "examined", "sealed", "released"]
#: The custody events an evidence record may carry.
CUSTODY_ACTIONS: tuple[str, ...] = get_args(CustodyAction)
#: Largest evidence file size accepted (1 TiB).
MAX_EVIDENCE_SIZE = 2**40

_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
#: A lowercase media type ``type/subtype`` (RFC 6838 restricted names), e.g. ``image/jpeg``.
MediaType: TypeAlias = Annotated[str, StringConstraints(pattern=rf"^{_TOKEN}/{_TOKEN}$")]


class Evidence(RecordHeader):
    """One custody event of one evidence file (DESIGN §2)."""

    type: Literal["evidence"] = "evidence"
    sha256: Sha256
    media_type: MediaType
    size: int = Field(ge=0, le=MAX_EVIDENCE_SIZE)
    captured_at: UtcDatetime
    action: CustodyAction
    holder: Pseudonym
    original: bool
    derived_from: Sha256 | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _custody_rules(self) -> Self:
        problems: list[Problem] = []
        if self.derived_from is not None:
            if self.original:
                problems.append(
                    (("derived_from",), "only a working copy (original: false) has a source")
                )
            elif self.derived_from == self.sha256:
                problems.append((("derived_from",), "a copy cannot be derived from itself"))
        raise_problems("Evidence", problems)
        return self
