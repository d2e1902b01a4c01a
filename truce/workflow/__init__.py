"""The verification workflow: allegation lifecycle, four-eyes findings, right of reply.

Every step is a signed record in the log; the rules here decide which records
intake admits (:mod:`truce.intake.gate` calls them) and how the current state is
read back from the records (:mod:`truce.workflow.history`):

* :mod:`~truce.workflow.lifecycle` — received → acknowledged → under
  verification (tasks) → confirmed | not confirmed | unable to verify;
* :mod:`~truce.workflow.findings` — a draft is approved by a different person
  (four eyes); the approval notifies both parties at one instant and opens the
  same reply window for both;
* :mod:`~truce.workflow.visibility` — what each role may see of a record;
* :mod:`~truce.workflow.history` — a record's full history, from the store's
  indexes or from the log's entries alone (the same result).
"""

from __future__ import annotations

from truce.workflow.findings import FindingState, check_approval, check_reply, finding_state
from truce.workflow.history import History, history_from_entries
from truce.workflow.lifecycle import NEXT_STATES, RECEIVED, check_step, check_task, state_of
from truce.workflow.linked import Linked, Related

__all__ = [
    "NEXT_STATES",
    "RECEIVED",
    "FindingState",
    "History",
    "Linked",
    "Related",
    "check_approval",
    "check_reply",
    "check_step",
    "check_task",
    "finding_state",
    "history_from_entries",
    "state_of",
]
