"""``key``: a change to the key registry — enrolment, rotation or revocation.

Key changes are log entries themselves (DESIGN §5). Rules:

==========  ==============================================  ===============
action      required                                        forbidden
==========  ==============================================  ===============
enrol       public_key, role, principal                     replaces
rotate      public_key, role, principal, replaces           —
revoke      reason                                          public_key, replaces
==========  ==============================================  ===============

``party`` is required when ``role`` is ``party`` and forbidden otherwise;
``replaces`` differs from ``keyid``. ``public_key`` is the standard, padded
base64 of exactly 32 bytes in its one canonical spelling.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal, Self, TypeAlias, get_args

from pydantic import StringConstraints, model_validator

from truce.records._model import Problem, raise_problems
from truce.records.common import KeyId, Party, Text
from truce.records.header import RecordHeader

__all__ = ["KEY_ACTIONS", "ROLES", "KeyAction", "KeyEvent", "Principal", "PublicKeyB64", "Role"]

KeyAction = Literal["enrol", "revoke", "rotate"]
#: The key registry changes.
KEY_ACTIONS: tuple[str, ...] = get_args(KeyAction)
Role = Literal["admin", "monitor", "analyst", "approver", "party", "witness", "intake", "observer"]
#: The roles a key may be enrolled with (DESIGN §1).
ROLES: tuple[str, ...] = get_args(Role)
#: The pseudonym of whoever holds a key.
Principal: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
]
#: Canonical standard base64 of 32 bytes: 43 characters (the last with its low
#: two bits zero) and one ``=``; any other spelling of the same bytes is rejected.
PublicKeyB64: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$")
]


class KeyEvent(RecordHeader):
    """Enrol, rotate or revoke one Ed25519 key (see the module docstring for the rules)."""

    type: Literal["key"] = "key"
    action: KeyAction
    keyid: KeyId
    public_key: PublicKeyB64 | None = None
    role: Role | None = None
    principal: Principal | None = None
    party: Party | None = None
    replaces: KeyId | None = None
    reason: Text | None = None

    def public_key_bytes(self) -> bytes | None:
        """The raw 32-byte public key, or None (revocations carry none)."""
        if self.public_key is None:
            return None
        return base64.b64decode(self.public_key, validate=True)

    @model_validator(mode="after")
    def _key_rules(self) -> Self:
        problems: list[Problem] = []
        adds_key = self.action in ("enrol", "rotate")
        if adds_key:
            problems.extend(
                ((name,), f"required to {self.action} a key")
                for name in ("public_key", "role", "principal")
                if getattr(self, name) is None
            )
        elif self.public_key is not None:
            problems.append((("public_key",), "not allowed when revoking a key"))
        if self.action == "revoke" and self.reason is None:
            problems.append((("reason",), "required to revoke a key"))
        if self.role == "party" and self.party is None:
            problems.append((("party",), "required for a key with role party"))
        elif self.role != "party" and self.party is not None:
            problems.append((("party",), "only a key with role party has a party"))
        if self.action == "rotate" and self.replaces is None:
            problems.append((("replaces",), "required to rotate a key"))
        elif self.action != "rotate" and self.replaces is not None:
            problems.append((("replaces",), "only a rotation replaces a key"))
        elif self.replaces is not None and self.replaces == self.keyid:
            problems.append((("replaces",), "a key cannot replace itself"))
        raise_problems("KeyEvent", problems)
        return self
