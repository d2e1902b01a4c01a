from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given

from truce.records import KeyEvent, parse_record
from truce.records.key import ROLES

from ._examples import DELETE, KEY1, KEY2, PUB, assert_rejected, key_enrol, round_trip
from ._strategies import key_events


def test_enrol_rotate_revoke() -> None:
    enrol = parse_record(key_enrol())
    assert isinstance(enrol, KeyEvent)
    assert enrol.public_key_bytes() == base64.b64decode(PUB)
    assert len(enrol.public_key_bytes() or b"") == 32
    rotate = parse_record(
        key_enrol(action="rotate", keyid=KEY2, replaces=KEY1, role="monitor", party=DELETE)
    )
    assert isinstance(rotate, KeyEvent)
    assert rotate.replaces == KEY1
    revoke = parse_record(
        key_enrol(
            action="revoke",
            public_key=DELETE,
            role=DELETE,
            principal=DELETE,
            party=DELETE,
            reason="device lost",
        )
    )
    assert isinstance(revoke, KeyEvent)
    assert revoke.public_key_bytes() is None


def _non_canonical(pub: str) -> str:
    # same 32 bytes, but the unused low bits of the last character are set
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet[alphabet.index(pub[-2]) | 1]
    return pub[:-2] + last + "="


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"public_key": DELETE}, "public_key", "required to enrol"),
        ({"role": DELETE, "party": DELETE}, "role", "required to enrol"),
        ({"principal": DELETE}, "principal", "required to enrol"),
        ({"party": DELETE}, "party", "required for a key with role party"),
        ({"role": "monitor"}, "party", "only a key with role party"),
        ({"role": "superuser"}, "role", "input should be"),
        ({"replaces": KEY2}, "replaces", "only a rotation"),
        ({"action": "rotate"}, "replaces", "required to rotate"),
        ({"action": "rotate", "replaces": KEY1}, "replaces", "cannot replace itself"),
        ({"action": "revoke", "reason": "x"}, "public_key", "not allowed when revoking"),
        ({"action": "revoke", "public_key": DELETE}, "reason", "required to revoke"),
        ({"action": "suspend"}, "action", "input should be"),
        ({"keyid": KEY1.upper()}, "keyid", "pattern"),
        ({"keyid": KEY1 + "00"}, "keyid", "pattern"),
        ({"public_key": PUB.rstrip("=")}, "public_key", "pattern"),
        ({"public_key": PUB.replace("/", "_")}, "public_key", "pattern"),
        ({"public_key": base64.b64encode(b"x" * 33).decode()}, "public_key", "pattern"),
        ({"public_key": _non_canonical(PUB)}, "public_key", "pattern"),
        ({"principal": "-admin"}, "principal", "pattern"),
        ({"principal": "a" * 65}, "principal", "pattern"),
    ],
)
def test_key_constraints(changes: dict[str, Any], path: str, reason: str) -> None:
    assert_rejected(key_enrol(**changes), path, reason)


def test_non_canonical_helper_really_spells_the_same_bytes() -> None:
    assert base64.b64decode(_non_canonical(PUB)) == base64.b64decode(PUB)
    assert _non_canonical(PUB) != PUB


def test_roles_match_the_key_registry() -> None:
    keys = pytest.importorskip("truce.keys")
    assert tuple(keys.ROLES) == ROLES


@given(key_events())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
