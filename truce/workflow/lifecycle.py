"""The allegation lifecycle as an explicit state machine.

::

    received ─► acknowledged ─► under_verification ─┬─► confirmed
                                  (tasks)           ├─► not_confirmed   (+ reason)
                                                    └─► unable_to_verify (+ reason)

An allegation is ``received`` when filed; every later state is an
``allegation_step`` record, and verification tasks are recorded only while it
is under verification. An outcome is final: to change it, correct the step
(a correction withdraws it, and the allegation is back under verification).
Illegal steps are refused with :class:`~truce.errors.Conflict` naming the
current state and the states it may move to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from truce.errors import Conflict
from truce.records import OUTCOMES, AllegationStep

__all__ = ["NEXT_STATES", "RECEIVED", "check_step", "check_task", "state_of"]

#: The state of an allegation with no step yet.
RECEIVED = "received"

#: state -> the states one step may move it to (the whole machine).
NEXT_STATES: Mapping[str, tuple[str, ...]] = {
    RECEIVED: ("acknowledged",),
    "acknowledged": ("under_verification",),
    "under_verification": OUTCOMES,
    **dict.fromkeys(OUTCOMES, ()),
}


def state_of(steps: Sequence[AllegationStep]) -> str:
    """The current state after ``steps`` (the allegation's standing steps, in log order)."""
    return steps[-1].state if steps else RECEIVED


def check_step(allegation: str, steps: Sequence[AllegationStep], step: AllegationStep) -> None:
    """Raise Conflict unless ``step`` may follow ``steps``."""
    current = state_of(steps)
    allowed = NEXT_STATES[current]
    if step.state not in allowed:
        if allowed:
            may = f"it may move to {' or '.join(allowed)}"
        else:
            may = "that is final (correct the step to change it)"
        raise Conflict(
            f"allegation {allegation[:12]} is {current}: {may}, not {step.state}",
            existing={"allegation": allegation, "state": current, "next": list(allowed)},
        )


def check_task(allegation: str, steps: Sequence[AllegationStep]) -> None:
    """Raise Conflict unless the allegation is under verification."""
    current = state_of(steps)
    if current != "under_verification":
        raise Conflict(
            f"allegation {allegation[:12]} is {current}: tasks are recorded only while it is "
            "under_verification",
            existing={"allegation": allegation, "state": current},
        )
