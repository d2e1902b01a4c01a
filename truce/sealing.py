"""Sealed message bodies: text only its recipients' keys can read.

A correspondence thread whose content is not public carries its body as one
libsodium sealed box per recipient key (``crypto_box_seal``: an ephemeral
X25519 key, XSalsa20-Poly1305; the sender stays anonymous to the box, the
signature on the record says who sent it). Recipients are Ed25519 keys of the
key registry, converted to X25519 (``crypto_sign_ed25519_pk_to_curve25519``),
so a party needs no second key pair to receive. The log — which is public —
holds only the boxes; the mission reads a ``parties`` thread's metadata, never
its content.

Example::

    boxes = seal("We agree.", [(key.keyid, key.public_key) for key in recipients])
    unseal(boxes, party_signer)  # -> "We agree."
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

import nacl.bindings
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.public

from truce.errors import AuthError, ValidationError
from truce.keys import Signer

__all__ = ["seal", "unseal"]


def seal(
    text: str, recipients: Sequence[tuple[str, bytes]], *, entropy: bytes | None = None
) -> list[dict[str, str]]:
    """``text`` sealed to each ``(keyid, ed25519_public_key)``, as ``sealed_body`` items
    (sorted by key id, so the record does not depend on the order given).

    Each box gets a fresh random ephemeral key — unless ``entropy`` (a secret of
    at least 32 bytes) is given: then the ephemeral key is derived from it, the
    recipient and the text (keyed BLAKE2b), so the same inputs give the same
    boxes (for reproducible demos; it reveals when the same text is sent twice).
    Either way the box is libsodium's ``crypto_box_seal`` format: ephemeral
    public key, then ``crypto_box`` under the nonce BLAKE2b(epk ‖ pk)."""
    if entropy is not None and len(entropy) < 32:
        raise ValidationError("give at least 32 bytes of entropy", field="entropy")
    if not recipients:
        raise ValidationError("a sealed body needs at least one recipient", field="sealed_body")
    data = text.encode("utf-8")
    out = []
    for keyid, public_key in sorted(set(recipients)):
        try:
            x25519 = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(public_key)
        except (nacl.exceptions.RuntimeError, nacl.exceptions.ValueError, TypeError):
            raise ValidationError(
                f"key {keyid} is not a valid Ed25519 public key", field="sealed_body"
            ) from None
        if entropy is None:
            box = bytes(nacl.public.SealedBox(nacl.public.PublicKey(x25519)).encrypt(data))
        else:
            box = _derived_seal(data, x25519, entropy)
        out.append({"keyid": keyid, "box": base64.b64encode(box).decode("ascii")})
    return out


def _derived_seal(data: bytes, x25519: bytes, entropy: bytes) -> bytes:
    seed = nacl.hash.blake2b(
        x25519 + data, key=entropy[:64], digest_size=32, encoder=nacl.encoding.RawEncoder
    )
    epk, esk = nacl.bindings.crypto_box_seed_keypair(seed)
    nonce = nacl.hash.blake2b(epk + x25519, digest_size=24, encoder=nacl.encoding.RawEncoder)
    return epk + nacl.bindings.crypto_box(data, nonce, x25519, esk)


def unseal(sealed_body: Sequence[Mapping[str, Any]], signer: Signer) -> str:
    """The plain text of ``sealed_body`` for ``signer``'s key; AuthError if the body
    was not sealed to it or its box was altered."""
    for item in sealed_body:
        if item.get("keyid") != signer.keyid:
            continue
        try:
            box = base64.b64decode(str(item.get("box", "")), validate=True)
        except binascii.Error:
            raise ValidationError("not base64", field="sealed_body.box") from None
        data = signer.open_sealed(box)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("sealed text is not UTF-8", field="sealed_body.box") from None
    raise AuthError(f"this message was not sealed to key {signer.keyid}", keyid=signer.keyid)
