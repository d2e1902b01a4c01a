"""Sealed bodies: only their recipients' keys open them; the format is libsodium's."""

from __future__ import annotations

import base64

import nacl.public
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import seeded
from truce.errors import AuthError, ValidationError
from truce.sealing import seal, unseal

A, B, C = seeded("party-a"), seeded("party-b"), seeded("outsider")
TO_AB = [(A.keyid, A.public_key), (B.keyid, B.public_key)]


@settings(max_examples=25)
@given(st.text(min_size=1, max_size=500), st.booleans())
def test_each_recipient_opens_the_same_text(text: str, derived: bool) -> None:
    boxes = seal(text, TO_AB, entropy=b"e" * 32 if derived else None)
    assert [b["keyid"] for b in boxes] == sorted([A.keyid, B.keyid])
    assert unseal(boxes, A) == unseal(boxes, B) == text


def test_an_outsider_cannot_open_it() -> None:
    boxes = seal("secret", TO_AB)
    with pytest.raises(AuthError, match="not sealed to key"):
        unseal(boxes, C)
    # Pretending the box is for C does not help: the key does not open it.
    stolen = [{"keyid": C.keyid, "box": boxes[0]["box"]}]
    with pytest.raises(AuthError, match="not made for this key"):
        unseal(stolen, C)


def test_a_tampered_box_is_refused() -> None:
    boxes = seal("secret", TO_AB)
    raw = bytearray(base64.b64decode(boxes[0]["box"]))
    raw[-1] ^= 1
    mine = next(b for b in boxes if b["keyid"] == boxes[0]["keyid"])
    owner = A if mine["keyid"] == A.keyid else B
    with pytest.raises(AuthError):
        unseal([{"keyid": owner.keyid, "box": base64.b64encode(bytes(raw)).decode()}], owner)
    with pytest.raises(ValidationError):
        unseal([{"keyid": owner.keyid, "box": "not base64!"}], owner)


def test_derived_boxes_are_reproducible_and_libsodium_compatible() -> None:
    entropy = b"demo" * 8
    first = seal("same", TO_AB, entropy=entropy)
    assert seal("same", TO_AB, entropy=entropy) == first
    assert seal("other", TO_AB, entropy=entropy) != first
    assert seal("same", TO_AB, entropy=b"x" * 32) != first
    assert seal("same", TO_AB) != seal("same", TO_AB)  # random by default
    # libsodium's own crypto_box_seal_open opens a derived box.
    box = base64.b64decode(next(b["box"] for b in first if b["keyid"] == A.keyid))
    private = A._key.to_curve25519_private_key()
    assert nacl.public.SealedBox(private).decrypt(box) == b"same"


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError) as exc:
        seal("x", [])
    assert exc.value.field == "sealed_body"
    with pytest.raises(ValidationError) as exc:
        seal("x", TO_AB, entropy=b"short")
    assert exc.value.field == "entropy"
