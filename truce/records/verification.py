"""``allegation_step`` and ``verification_task``: an allegation's lifecycle as records.

An allegation is *received* when it is filed. Each later step is a signed,
logged ``allegation_step`` naming the allegation and the state it moves to:
``acknowledged``, ``under_verification``, then one outcome — ``confirmed``,
``not_confirmed`` or ``unable_to_verify``. An outcome other than
``confirmed`` gives a reason from a fixed list (:data:`OUTCOME_REASONS`);
``confirmed`` cites the approved finding it rests on. Which step may follow
which is :mod:`truce.workflow.lifecycle`'s rule, checked at intake.

A ``verification_task`` records work done to verify an allegation while it is
under verification: a patrol request, a camera review, or an evidence request
to the filing party (with a deadline).
"""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import model_validator

from truce.records._model import Problem, raise_problems
from truce.records.common import RecordRef, Text, UtcDatetime
from truce.records.header import RecordHeader

__all__ = [
    "OUTCOMES",
    "OUTCOME_REASONS",
    "STEP_STATES",
    "TASK_KINDS",
    "AllegationState",
    "AllegationStep",
    "OutcomeReason",
    "TaskKind",
    "VerificationTask",
]

#: The states a step may move an allegation to (``received`` is the filing itself).
AllegationState = Literal[
    "acknowledged", "under_verification", "confirmed", "not_confirmed", "unable_to_verify"
]
STEP_STATES: tuple[str, ...] = get_args(AllegationState)
#: The final states.
OUTCOMES: tuple[str, ...] = ("confirmed", "not_confirmed", "unable_to_verify")

#: Why an allegation was not confirmed or could not be verified: a fixed list.
OutcomeReason = Literal[
    "no_access",
    "insufficient_evidence",
    "outside_mandate",
    "contradicted_by_evidence",
    "no_corroboration",
    "duplicate",
    "withdrawn_by_party",
]
OUTCOME_REASONS: tuple[str, ...] = get_args(OutcomeReason)

#: What a verification task asks for.
TaskKind = Literal["patrol_request", "camera_review", "evidence_request"]
TASK_KINDS: tuple[str, ...] = get_args(TaskKind)


class AllegationStep(RecordHeader):
    """Moves ``allegation`` to ``state`` (see the module docstring for the rules)."""

    type: Literal["allegation_step"] = "allegation_step"
    allegation: RecordRef
    state: AllegationState
    reason: OutcomeReason | None = None
    finding: RecordRef | None = None
    comment: Text | None = None

    @model_validator(mode="after")
    def _outcome_rules(self) -> Self:
        problems: list[Problem] = []
        needs_reason = self.state in ("not_confirmed", "unable_to_verify")
        if needs_reason and self.reason is None:
            problems.append(
                (("reason",), f"required for {self.state}: one of {', '.join(OUTCOME_REASONS)}")
            )
        if not needs_reason and self.reason is not None:
            problems.append((("reason",), "only not_confirmed and unable_to_verify give a reason"))
        if self.state == "confirmed" and self.finding is None:
            problems.append((("finding",), "required for confirmed: the approved finding"))
        if self.state not in OUTCOMES and self.finding is not None:
            problems.append((("finding",), "only an outcome cites a finding"))
        raise_problems("AllegationStep", problems)
        return self


class VerificationTask(RecordHeader):
    """A task done to verify ``allegation``; an evidence request has a deadline."""

    type: Literal["verification_task"] = "verification_task"
    allegation: RecordRef
    task: TaskKind
    detail: Text
    due: UtcDatetime | None = None

    @model_validator(mode="after")
    def _due_rule(self) -> Self:
        if self.task == "evidence_request" and self.due is None:
            raise_problems(
                "VerificationTask", [(("due",), "required for an evidence request: the deadline")]
            )
        return self
