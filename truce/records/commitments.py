"""Sealed fields: commit now, reveal later (DESIGN §2 "Commitment", §8 least data).

A field that must not be published — a monitor's pseudonym, a team, a
description naming a witness — is *sealed*: the signed record carries, in
place of the value, a salted SHA-256 **commitment** to it under ``sealed``::

    "sealed": {"observed_by.monitor": "9f2c…"}      # and no observed_by.monitor

The value and its salt are the **reveal**. They travel beside the signed
envelope to the mission (like blobs), which checks them against the
commitment and keeps them apart from the log: the log — public — holds only
the commitment, so anyone can verify every signature while no one outside the
mission learns the value. Later, or only to an authorised body, the mission
hands out a reveal (a logged act), and anyone can check it against the record
in the published log.

The commitment is ``SHA-256(salt ‖ JCS({"path": path, "value": value}))`` in
lowercase hex: the 32-byte salt makes a low-entropy value (a pseudonym, a
team) unguessable; the path binds the value to its field; JCS (RFC 8785)
makes the bytes unambiguous.

Example::

    payload, reveals = seal_fields(record, ["observed_by.monitor"])
    reveals[0].check(payload["sealed"]["observed_by.monitor"])  # passes
    open_fields(payload, reveals) == record_without_the_sealed_list
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

from truce.errors import ValidationError

__all__ = [
    "SALT_BYTES",
    "Reveal",
    "commitment",
    "open_fields",
    "seal_fields",
    "take_path",
]

#: Length of a salt, in bytes.
SALT_BYTES = 32


def commitment(path: str, value: Any, salt: bytes) -> str:
    """The commitment to ``value`` at ``path`` under ``salt`` (lowercase hex SHA-256)."""
    if len(salt) != SALT_BYTES:
        raise ValidationError(f"a salt is {SALT_BYTES} bytes, got {len(salt)}", field="salt")
    try:
        body = rfc8785.dumps({"path": path, "value": value})
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ValidationError(f"not a JSON value: {exc}", field=path) from None
    return hashlib.sha256(salt + body).hexdigest()


@dataclass(frozen=True)
class Reveal:
    """A sealed field's value and salt: what opens its commitment."""

    path: str
    value: Any
    salt: bytes

    @property
    def commitment(self) -> str:
        return commitment(self.path, self.value, self.salt)

    def check(self, expected: str) -> None:
        """Raise ValidationError unless this reveal opens ``expected``."""
        if not hmac.compare_digest(self.commitment, expected):
            raise ValidationError(
                f"the value and salt given do not open the commitment {expected[:12]}…",
                field=f"reveals[{self.path!r}]",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "value": self.value,
            "salt": base64.b64encode(self.salt).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, field: str = "reveal") -> Reveal:
        """A reveal from its JSON form; ValidationError naming the bad part."""
        if not isinstance(data, Mapping):
            raise ValidationError("must be an object with path, value and salt", field=field)
        path, salt = data.get("path"), data.get("salt")
        if not isinstance(path, str) or not path:
            raise ValidationError("must be a field path", field=f"{field}.path")
        if "value" not in data:
            raise ValidationError("required", field=f"{field}.value")
        try:
            raw = base64.b64decode(str(salt), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("not base64", field=f"{field}.salt") from None
        if len(raw) != SALT_BYTES:
            raise ValidationError(f"must be {SALT_BYTES} bytes", field=f"{field}.salt")
        return cls(path, data["value"], raw)


def seal_fields(
    payload: Mapping[str, Any],
    paths: Sequence[str],
    *,
    salt: Callable[[str], bytes] | None = None,
) -> tuple[dict[str, Any], list[Reveal]]:
    """``payload`` with the values at ``paths`` taken out and committed to under
    ``sealed``, and the reveals. ``salt(path)`` gives each salt (default: 32
    random bytes); a path absent from the payload is an error."""
    out = copy.deepcopy(dict(payload))
    reveals: list[Reveal] = []
    sealed: dict[str, str] = {}
    for path in paths:
        found, value = take_path(out, path)
        if not found:
            raise ValidationError("is sealed but has no value to seal", field=path)
        chosen = salt(path) if salt is not None else secrets.token_bytes(SALT_BYTES)
        reveal = Reveal(path, value, chosen)
        reveals.append(reveal)
        sealed[path] = reveal.commitment
    if sealed:
        out["sealed"] = dict(sorted(sealed.items()))
    else:
        out.pop("sealed", None)
    return out, reveals


def open_fields(payload: Mapping[str, Any], reveals: Sequence[Reveal]) -> dict[str, Any]:
    """``payload`` with each reveal's value put back at its path (the commitments
    stay); every reveal is checked against its commitment first."""
    out = copy.deepcopy(dict(payload))
    sealed = out.get("sealed") or {}
    for reveal in reveals:
        expected = sealed.get(reveal.path)
        if expected is None:
            raise ValidationError("the record seals no such field", field=reveal.path)
        reveal.check(expected)
        _put(out, reveal.path.split("."), copy.deepcopy(reveal.value))
    return out


def take_path(obj: dict[str, Any], path: str) -> tuple[bool, Any]:
    """Remove the value at dotted ``path`` (``observed_by.monitor``) from ``obj``:
    ``(True, value)``, or ``(False, None)`` when there is none."""
    head, _, rest = path.partition(".")
    if head not in obj:
        return False, None
    if not rest:
        return True, obj.pop(head)
    inner = obj[head]
    return take_path(inner, rest) if isinstance(inner, dict) else (False, None)


def _put(obj: dict[str, Any], parts: list[str], value: Any) -> None:
    head, *rest = parts
    if not rest:
        obj[head] = value
        return
    inner = obj.setdefault(head, {})
    if isinstance(inner, dict):
        _put(inner, rest, value)
