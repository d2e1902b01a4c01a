"""Four-eyes findings and the right of reply, with parity between the parties.

A finding (``finding`` record) is a *draft* until an ``approval`` decides it:

* the approver must be a different person from the drafter (another
  ``principal``, hence another key) — enforced on keys and roles, not by
  convention; a revoked key signs nothing at all (intake);
* a draft is decided once: ``approved`` or ``returned`` (a returned draft is
  superseded by a new one);
* an approval *notifies both parties at one instant* — the approval's
  ``signed_at`` — and sets *one* reply deadline for both, ``signed_at +
  reply_window_days``: parity by construction, since there is one value, not
  one per party;
* each party may reply once, before the deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from truce.errors import AuthError, Conflict, ValidationError
from truce.records import Approval, Reply, format_utc
from truce.workflow.linked import Linked

__all__ = [
    "DEFAULT_REPLY_WINDOW_DAYS",
    "FindingState",
    "check_approval",
    "check_reply",
    "finding_state",
]

#: The reply window an approval opens when the approver does not name one.
DEFAULT_REPLY_WINDOW_DAYS = 7


@dataclass(frozen=True)
class FindingState:
    """Where a drafted finding stands."""

    finding_id: str
    status: str  #: ``draft``, ``approved`` or ``returned``
    drafted_by: str  #: the drafter's principal
    decided_by: str | None = None  #: the approver's principal
    approval_id: str | None = None
    notified_at: datetime | None = None  #: the one instant both parties are notified
    reply_by: datetime | None = None  #: the one deadline both parties have
    replies: dict[str, str] = field(default_factory=dict)  #: party -> reply record id

    def to_dict(self) -> dict[str, object]:
        return {
            "finding": self.finding_id,
            "status": self.status,
            "drafted_by": self.drafted_by,
            "decided_by": self.decided_by,
            "approval": self.approval_id,
            "notified_at": format_utc(self.notified_at) if self.notified_at else None,
            "reply_by": format_utc(self.reply_by) if self.reply_by else None,
            "replies": dict(sorted(self.replies.items())),
        }


def finding_state(
    draft: Linked, approvals: Sequence[Linked], replies: Sequence[Linked] = ()
) -> FindingState:
    """The state of ``draft`` given its standing approvals and replies (log order)."""
    if not approvals:
        return FindingState(draft.record_id, "draft", draft.principal)
    first = approvals[0]
    decision = first.record
    assert isinstance(decision, Approval)
    if decision.decision == "returned":
        return FindingState(
            draft.record_id, "returned", draft.principal, first.principal, first.record_id
        )
    assert decision.reply_window_days is not None
    at = decision.signed_at
    return FindingState(
        draft.record_id,
        "approved",
        draft.principal,
        first.principal,
        first.record_id,
        at,
        at + timedelta(days=decision.reply_window_days),
        {r.record.party: r.record_id for r in replies if isinstance(r.record, Reply)},
    )


def check_approval(draft: Linked, approvals: Sequence[Linked], approver: Linked) -> None:
    """Raise unless ``approver`` may decide the finding ``draft`` now (four eyes,
    decided once)."""
    if approver.principal == draft.principal or approver.keyid == draft.keyid:
        raise AuthError(
            f"four eyes: {approver.principal} drafted finding {draft.record_id[:12]} "
            "and may not also decide it",
            keyid=approver.keyid,
        )
    if approvals:
        state = finding_state(draft, approvals)
        raise Conflict(
            f"finding {draft.record_id[:12]} was already {state.status} by {state.decided_by}",
            existing={"finding": draft.record_id, "approval": state.approval_id},
        )


def check_reply(
    draft: Linked,
    approvals: Sequence[Linked],
    replies: Sequence[Linked],
    reply: Reply,
    now: datetime,
) -> None:
    """Raise unless ``reply`` may be filed now: approved, in the window, once per party."""
    state = finding_state(draft, approvals, replies)
    if state.status != "approved":
        raise Conflict(
            f"finding {draft.record_id[:12]} is {state.status}: only an approved finding "
            "takes replies",
            existing={"finding": draft.record_id, "status": state.status},
        )
    assert state.reply_by is not None
    if now > state.reply_by:
        raise ValidationError(
            f"the reply window closed at {format_utc(state.reply_by)} "
            "(the same deadline for both parties)",
            field="payload.finding",
        )
    if reply.party in state.replies:
        raise Conflict(
            f"party {reply.party} already replied to finding {draft.record_id[:12]}",
            existing={"reply": state.replies[reply.party]},
        )
