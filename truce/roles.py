"""Who may do what: one table of operations, read by intake, the facade and the tests.

The roles are those of DESIGN §1. A key is enrolled with exactly one role;
parties' keys also carry the party id (``A``, ``B``). Every operation of the
mission is a row of :data:`OPERATIONS`: the record type it submits (``None``
for a read) and the roles allowed to do it. Intake refuses a record whose
signer's role may not submit its type; the facade refuses a read the reader's
role may not make. What a permitted reader may *see* of a record (other
parties' unpublished filings, sealed fields) is :mod:`truce.workflow.visibility`.

Separation of duties is in the table: a party files claims and replies but
never rules; an analyst drafts findings and an approver approves them (the
four-eyes rule that the approver is a different person is checked by
:mod:`truce.workflow.findings`); monitors record what they see and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from truce.errors import AuthError
from truce.keys import ROLES

__all__ = ["MAY_SUBMIT", "OPERATIONS", "Operation", "check_may", "check_may_submit", "operation"]


@dataclass(frozen=True)
class Operation:
    """One thing a role may be allowed to do."""

    name: str  #: e.g. ``finding.approve``
    kind: str | None  #: the record type it submits; None for a read
    roles: frozenset[str]  #: the roles allowed
    what: str  #: one line for docs and errors


def _op(name: str, kind: str | None, roles: set[str], what: str) -> Operation:
    return Operation(name, kind, frozenset(roles), what)


_MISSION = {"analyst", "approver", "admin"}

#: Every operation, in the order the docs list them.
OPERATIONS: tuple[Operation, ...] = (
    _op("observation.submit", "observation", {"monitor", "intake"}, "record what was seen"),
    _op("coverage.submit", "coverage", {"monitor", "intake"}, "record where the mission could see"),
    _op(
        "evidence.submit",
        "evidence",
        {"monitor", "intake", "analyst", "party"},
        "register an evidence file",
    ),
    _op("allegation.file", "allegation", {"party"}, "file a claim against the other party"),
    _op("allegation.step", "allegation_step", {"analyst", "approver"}, "move an allegation on"),
    _op("allegation.task", "verification_task", {"analyst"}, "record a verification task"),
    _op("allegation.link", "link", {"analyst"}, "link an observation to an allegation"),
    _op("finding.draft", "finding", {"analyst"}, "draft a finding"),
    _op("finding.approve", "approval", {"approver"}, "approve or return a drafted finding"),
    _op("finding.reply", "reply", {"party"}, "reply to an approved finding"),
    _op(
        "record.correct",
        "correction",
        {"monitor", "analyst", "approver", "party"},
        "supersede a record with a correction",
    ),
    _op("correspondence.send", "correspondence", {"party"}, "write to the other party"),
    _op(
        "correspondence.acknowledge",
        "acknowledgement",
        {"party"},
        "acknowledge receipt of a message",
    ),
    _op("report.release", "release", {"approver"}, "release a report to the parties"),
    _op("access.log", "access", {"admin"}, "log a party's read (the mission's own key)"),
    _op("key.manage", "key", {"admin"}, "enrol, rotate or revoke a key"),
    _op("field.disclose", "disclosure", {"admin"}, "reveal a sealed field (a logged act)"),
    _op("agreement.load", "agreement", {"admin"}, "load an agreement version"),
    _op("record.read", None, _MISSION | {"party", "observer"}, "read a record and its history"),
    _op("workflow.read", None, _MISSION | {"party"}, "read allegations, findings, notifications"),
    _op("workflow.queue", None, _MISSION, "read the analysts' queue of open allegations"),
    _op("allegation.candidates", None, _MISSION, "rank observations that may match an allegation"),
    _op("correspondence.read", None, _MISSION | {"party"}, "read correspondence threads"),
    _op("report.read", None, _MISSION | {"party"}, "read released reports"),
    _op("access.read", None, _MISSION | {"party"}, "read the log of the parties' reads"),
    _op(
        "coverage.read",
        None,
        _MISSION | {"party", "observer"},
        "read the coverage and access-restriction summary",
    ),
)

_BY_NAME: Mapping[str, Operation] = {op.name: op for op in OPERATIONS}

#: role -> record types a key of that role may sign (derived from :data:`OPERATIONS`).
MAY_SUBMIT: Mapping[str, frozenset[str]] = {
    role: frozenset(op.kind for op in OPERATIONS if op.kind is not None and role in op.roles)
    for role in ROLES
}


def operation(name: str) -> Operation:
    """The operation called ``name`` (KeyError if there is none: a programming error)."""
    return _BY_NAME[name]


def check_may(role: str, name: str, *, keyid: str | None = None) -> None:
    """Raise AuthError unless ``role`` may do the operation ``name``."""
    op = _BY_NAME[name]
    if role not in op.roles:
        allowed = ", ".join(sorted(op.roles))
        raise AuthError(f"{_a(role)} may not {op.what} ({name}: {allowed} only)", keyid=keyid)


def check_may_submit(role: str, kind: str, *, keyid: str) -> None:
    """Raise AuthError unless a key with ``role`` may submit a ``kind`` record."""
    allowed = MAY_SUBMIT.get(role, frozenset())
    if kind not in allowed:
        may = ", ".join(sorted(allowed)) or "nothing"
        raise AuthError(
            f"{_a(role)} key may not submit {kind} records (it may submit: {may})", keyid=keyid
        )


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in ("a", "e", "i", "o", "u") else f"a {role}"
