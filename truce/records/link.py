"""``link``: an analyst confirms that an observation bears on an allegation.

The mission proposes candidate matches between allegations and observations
by place, time and type (:mod:`truce.workflow.linking`); a candidate becomes
a link only when an analyst signs a ``link`` record naming both and why. A
link is withdrawn the way anything is: by a correction.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from truce.records._model import raise_problems
from truce.records.common import RecordRef, Text
from truce.records.header import RecordHeader

__all__ = ["Link"]


class Link(RecordHeader):
    """``observation`` bears on ``allegation``, for ``reason`` (``score`` as ranked)."""

    type: Literal["link"] = "link"
    allegation: RecordRef
    observation: RecordRef
    reason: Text
    score: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _two_records(self) -> Self:
        if self.observation == self.allegation:
            raise_problems("Link", [(("observation",), "must differ from allegation")])
        return self
