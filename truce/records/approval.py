"""``approval``: an approver's decision on a drafted finding (four eyes).

A finding is drafted by an analyst and becomes the mission's ruling only when
an approver — a different person, with a different key — approves it. An
approval opens the right of reply: both parties are notified at the approval's
time and may reply until ``reply_window_days`` later, the same deadline for
both (:mod:`truce.workflow.findings`). A ``returned`` draft is not approved;
it says why, and a new draft supersedes it.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from truce.records._model import Problem, raise_problems
from truce.records.common import RecordRef, Text
from truce.records.header import RecordHeader

__all__ = ["Approval", "Decision"]

Decision = Literal["approved", "returned"]


class Approval(RecordHeader):
    """``decision`` on the draft ``finding``; approved findings open a reply window."""

    type: Literal["approval"] = "approval"
    finding: RecordRef
    decision: Decision
    reply_window_days: int | None = Field(default=None, ge=1, le=90)
    reason: Text | None = None

    @model_validator(mode="after")
    def _decision_rules(self) -> Self:
        problems: list[Problem] = []
        if self.decision == "approved" and self.reply_window_days is None:
            problems.append((("reply_window_days",), "required to approve: 1..90 days"))
        if self.decision == "returned":
            if self.reply_window_days is not None:
                problems.append((("reply_window_days",), "only an approval opens a reply window"))
            if self.reason is None:
                problems.append((("reason",), "required to return a draft: say why"))
        raise_problems("Approval", problems)
        return self
