"""What each reader may see of a record (DESIGN §1, §8: parity and least data).

A reader is a role and, for a party, its party id. The mission's own roles
(analyst, approver, admin) see everything. A party sees:

* its own filings (allegations, replies, correspondence it sent or received,
  and the steps and tasks of its own allegations);
* the other party's allegation (and its steps and tasks) only once an
  approved finding cites it — until then it is an unpublished filing;
* approved findings and their approvals; never a draft or returned one;
* the other party's reply to a finding only after the reply deadline has
  passed — both parties reply under the same conditions, neither having seen
  the other's;
* observations only when an approved finding cites them, and never their
  sealed fields (:func:`redact`);
* agreements and key records (public), and a correction when it may see the
  corrected record;
* the messages of its own correspondence threads and their acknowledgements
  (a sealed body stays sealed: the record shows boxes, not text);
* every ``access`` record — what either party read, and when (DESIGN §8) —
  and every ``disclosure`` of a sealed field;
* the releases addressed to it (the report itself from the release instant:
  :mod:`truce.channel`);
* a link of an allegation to an observation once it may see both.

The public (``observer``) sees what a party sees of the *other* party's
filings: published ones only; and the messages of ``public`` threads, which the
public log carries in plain text anyway. Monitors and witnesses read nothing here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from truce.records import (
    Access,
    Acknowledgement,
    Allegation,
    AllegationStep,
    Approval,
    Correction,
    Correspondence,
    Disclosure,
    Finding,
    Link,
    Observation,
    Record,
    Release,
    Reply,
    VerificationTask,
    sealed_paths,
)
from truce.records.commitments import take_path
from truce.workflow.findings import FindingState

__all__ = ["MISSION_ROLES", "Published", "Reader", "may_see", "redact"]

#: Roles that see every record.
MISSION_ROLES = frozenset({"analyst", "approver", "admin"})


@dataclass(frozen=True)
class Reader:
    """Who is reading: a role, the party for a party's key, and the key itself
    when known (a party's reads are logged with it)."""

    role: str
    party: str | None = None
    keyid: str | None = None


@dataclass(frozen=True)
class Published:
    """What the visibility rules need to know of the mission's state."""

    #: The state of a finding by record id (None if it is not a finding).
    finding: Callable[[str], FindingState | None]
    #: Whether an approved finding cites this allegation or observation.
    cited: Callable[[str], bool]
    #: The record by id (None if unknown).
    record: Callable[[str], Record | None]
    now: datetime


def may_see(reader: Reader, record_id: str, record: Record, state: Published) -> bool:
    """Whether ``reader`` may see ``record`` (see the module docstring)."""
    if reader.role in MISSION_ROLES:
        return True
    if reader.role not in ("party", "observer"):
        return False
    party = reader.party if reader.role == "party" else None
    if record.type in ("agreement", "key"):
        return True
    if isinstance(record, Allegation):
        return record.party == party or state.cited(record_id)
    if isinstance(record, AllegationStep | VerificationTask):
        target = state.record(record.allegation)
        return target is not None and may_see(reader, record.allegation, target, state)
    if isinstance(record, Finding):
        found = state.finding(record_id)
        return found is not None and found.status == "approved"
    if isinstance(record, Approval):
        return record.decision == "approved"
    if isinstance(record, Reply):
        if record.party == party:
            return True
        found = state.finding(record.finding)
        return found is not None and found.reply_by is not None and state.now > found.reply_by
    if isinstance(record, Correspondence):
        opener = record if record.thread is None else state.record(record.thread)
        public = isinstance(opener, Correspondence) and opener.content == "public"
        return party in (record.from_party, record.to_party) or public
    if isinstance(record, Acknowledgement):
        target = state.record(record.message)
        return target is not None and may_see(reader, record.message, target, state)
    if isinstance(record, Access | Disclosure):
        return party is not None
    if isinstance(record, Release):
        return party in record.parties
    if isinstance(record, Link):
        allegation, observation = state.record(record.allegation), state.record(record.observation)
        return (
            allegation is not None
            and observation is not None
            and may_see(reader, record.allegation, allegation, state)
            and may_see(reader, record.observation, observation, state)
        )
    if isinstance(record, Observation):
        return state.cited(record_id)
    if isinstance(record, Correction):
        target = state.record(record.supersedes)
        return target is not None and may_see(reader, record.supersedes, target, state)
    return False


def redact(reader: Reader, record: Record, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as ``reader`` may see it: sealed fields and monitor identities
    removed for anyone outside the mission (``withheld`` lists what was removed)."""
    if reader.role in MISSION_ROLES:
        return payload
    out: dict[str, Any] = json.loads(json.dumps(payload))  # a deep copy of JSON values
    paths = set(sealed_paths(record))
    if isinstance(record, Observation):
        paths |= {"observed_by.monitor", "observed_by.team"}
    removed = [path for path in sorted(paths) if take_path(out, path)[0]]
    if removed:
        out["withheld"] = removed
    return out
