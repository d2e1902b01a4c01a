"""Who may submit what: one table, read by intake and by the tests.

The roles are those of DESIGN §1. A key is enrolled with exactly one role;
parties' keys also carry the party id (``A``, ``B``). What a role may *read*
and which workflow steps it may take are added to this table by the workflow
layer; here is what each role may sign and submit.
"""

from __future__ import annotations

from collections.abc import Mapping

from truce.errors import AuthError

__all__ = ["MAY_SUBMIT", "check_may_submit"]

#: role -> record types a key of that role may sign.
MAY_SUBMIT: Mapping[str, frozenset[str]] = {
    "admin": frozenset({"key", "agreement"}),
    "monitor": frozenset({"observation", "coverage", "evidence", "correction"}),
    "intake": frozenset({"observation", "coverage", "evidence"}),
    "analyst": frozenset({"finding", "correction", "evidence"}),
    "approver": frozenset({"finding", "correction"}),
    "party": frozenset({"allegation", "correspondence", "evidence", "correction"}),
    "witness": frozenset(),
    "observer": frozenset(),
}


def check_may_submit(role: str, kind: str, *, keyid: str) -> None:
    """Raise AuthError unless a key with ``role`` may submit a ``kind`` record."""
    allowed = MAY_SUBMIT.get(role, frozenset())
    if kind not in allowed:
        may = ", ".join(sorted(allowed)) or "nothing"
        raise AuthError(
            f"a {role} key may not submit {kind} records (it may submit: {may})", keyid=keyid
        )
