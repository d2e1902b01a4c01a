"""Canonical record bytes and signed envelopes — the one owner of that wire format.

A record is a JSON object canonicalised with RFC 8785 (JCS). It travels in a
DSSE-style envelope::

    {"payload": "<base64 of the canonical record bytes>",
     "payloadType": "application/vnd.truce.record+json",
     "signatures": [{"keyid": "<32 hex>", "sig": "<base64 Ed25519 signature>"}]}

The signature covers DSSE's pre-authentication encoding
``PAE(payloadType, payload)`` = ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``
(DSSE protocol, secure-systems-lab/dsse ``protocol.md``). The bytes that are
signed are the bytes that are hashed: a record's id is ``SHA-256(payload)``,
and its log entry is the canonical JSON of the whole envelope.

Cost on the intake path: canonicalising with the pure-Python ``rfc8785`` costs
nearly as much as an Ed25519 verification, so intake verifies the received
bytes as they are and only *checks* that they are canonical, with a fast path
(``json.dumps`` with sorted keys reproduces JCS exactly for our records, whose
object keys are ASCII field names, as long as no number needs exponent
notation) and ``rfc8785`` as the fallback. Canonicalisation proper happens once,
at signing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pydantic_core
import rfc8785

from truce.errors import ValidationError

__all__ = [
    "MAX_ENVELOPE_BYTES",
    "MAX_PAYLOAD_BYTES",
    "RECORD_PAYLOAD_TYPE",
    "Envelope",
    "Signature",
    "SignerLike",
    "canonical_json",
    "load_canonical",
    "pae",
    "record_id",
    "sign_payload",
]

#: The payloadType of every Truce record envelope.
RECORD_PAYLOAD_TYPE = "application/vnd.truce.record+json"
#: Largest accepted payload: 47 KiB, so that the canonical envelope (the log
#: entry: base64 payload plus up to :data:`MAX_SIGNATURES` signatures) fits the
#: 65,535 bytes a C2SP ``tlog-tiles`` entry bundle allows an entry. Bulky data
#: (an agreement's geography) travels as blobs (:mod:`truce.blobs`).
MAX_PAYLOAD_BYTES = 47 * 1024
#: Largest accepted envelope on the wire (payload is base64: 4/3 larger, plus signatures).
MAX_ENVELOPE_BYTES = MAX_PAYLOAD_BYTES * 4 // 3 + 64 * 1024
MAX_SIGNATURES = 8

_PAYLOAD_TYPE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+/-]{0,127}")
_KEYID_RE = re.compile(r"[0-9a-f]{32}")
# The lead byte of a UTF-8 sequence for a character beyond U+FFFF.
_ENVELOPE_FIELDS = frozenset({"payload", "payloadType", "signatures"})
_ASTRAL_RE = re.compile(rb"[\xf0-\xf4]")


def canonical_json(obj: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``obj`` (raises ValidationError if not representable)."""
    try:
        return bytes(rfc8785.dumps(obj))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ValidationError(f"cannot canonicalise: {exc}", field="payload") from exc


def _fast_dumps(obj: Any) -> bytes:
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


class _NeedsJcs(Exception):
    """A number literal whose Python and JCS spellings may differ."""


def _checked_float(text: str) -> float:
    if "e" in text or "E" in text or text.endswith(".0"):
        raise _NeedsJcs(text)
    return float(text)


def _checked_int(text: str) -> int:
    if len(text) > 15:
        raise _NeedsJcs(text)
    return int(text)


# Built once: json.loads() would build a decoder per call when hooks are given.
_FAST_DECODER = json.JSONDecoder(parse_float=_checked_float, parse_int=_checked_int)


def _decode_json(raw: bytes, field: str, decoder: json.JSONDecoder | None = None) -> Any:
    try:
        if decoder is None:  # no hooks needed: the Rust parser is the fastest here
            return pydantic_core.from_json(raw, allow_inf_nan=False, cache_strings="keys")
        return decoder.decode(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"not valid JSON: {exc}", field=field) from exc


def load_canonical(raw: bytes, *, field: str = "payload") -> Any:
    """Parse ``raw`` as JSON and check that it is RFC 8785 canonical; return the value.

    Fast path: sorted, compact ``json.dumps`` of the parsed value reproduces JCS
    exactly when (a) no number literal needs an exponent, ends in ``.0`` or
    has more than 15 digits (the parser's number hooks refuse those as they
    read), and (b) no object key could sort differently by UTF-16 code units
    (JCS) than by code points (Python) — possible only with characters beyond
    U+FFFF, which a byte scan rules out. Anything else goes to ``rfc8785``, so
    the fast path can only ever accept bytes that ``rfc8785`` would produce
    too. Raises ValidationError naming ``field`` if ``raw`` is not JSON or not
    canonical.
    """
    try:
        obj = _decode_json(raw, field, _FAST_DECODER)
    except _NeedsJcs:
        # JSON numbers are doubles (RFC 8785 §3.2.2.3): read large integers as such.
        obj = json.loads(raw, parse_int=_json_int)
    else:
        if _ASTRAL_RE.search(raw) is None:
            try:
                if _fast_dumps(obj) == raw:
                    return obj
            except (TypeError, ValueError):
                pass
    if canonical_json(obj) != raw:
        raise ValidationError(
            "payload is not RFC 8785 canonical JSON (sign the canonical bytes)",
            field=field,
            hint="canonicalise with RFC 8785 (JCS) before signing; `truce sign` does this",
        )
    return obj


def _json_int(text: str) -> int | float:
    value = int(text)
    return value if abs(value) < 2**53 else float(value)


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding of (payloadType, payload)."""
    ptype = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)


def record_id(payload: bytes) -> str:
    """A record's id: lowercase hex SHA-256 of its signed payload bytes."""
    return hashlib.sha256(payload).hexdigest()


class SignerLike(Protocol):
    """Anything that can sign: has a ``keyid`` and ``sign(message) -> signature``."""

    @property
    def keyid(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Signature:
    keyid: str
    sig: bytes


def _b64decode(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise ValidationError("must be a base64 string", field=field)
    try:
        return binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"not valid base64: {exc}", field=field) from exc


@dataclass(frozen=True, slots=True)
class Envelope:
    """A signed record: payload bytes, their type, and one or more signatures."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]

    @classmethod
    def from_json(cls, data: bytes | str, *, field: str = "") -> Envelope:
        """Parse an envelope from its JSON bytes; every shape error names the field."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        prefix = f"{field}." if field else ""
        if len(data) > MAX_ENVELOPE_BYTES:
            raise ValidationError(
                f"envelope is {len(data)} bytes; the limit is {MAX_ENVELOPE_BYTES}",
                field=field or "envelope",
            )
        obj = _decode_json(data, field or "envelope")
        return cls.from_dict(obj, field=field, _prefix=prefix)

    @classmethod
    def from_dict(cls, obj: Any, *, field: str = "", _prefix: str | None = None) -> Envelope:
        prefix = _prefix if _prefix is not None else (f"{field}." if field else "")
        if not isinstance(obj, dict):
            raise ValidationError("envelope must be a JSON object", field=field or "envelope")
        if unknown := sorted(obj.keys() - _ENVELOPE_FIELDS):
            raise ValidationError(f"unknown field {unknown[0]!r}", field=prefix + unknown[0])
        ptype = obj.get("payloadType")
        if not isinstance(ptype, str) or not _PAYLOAD_TYPE_RE.fullmatch(ptype):
            raise ValidationError("missing or malformed payloadType", field=prefix + "payloadType")
        if "payload" not in obj:
            raise ValidationError("missing", field=prefix + "payload")
        payload = _b64decode(obj["payload"], prefix + "payload")
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise ValidationError(
                f"payload is {len(payload)} bytes; the limit is {MAX_PAYLOAD_BYTES}",
                field=prefix + "payload",
            )
        sigs_obj = obj.get("signatures")
        if not isinstance(sigs_obj, list) or not sigs_obj:
            raise ValidationError("must be a non-empty list", field=prefix + "signatures")
        if len(sigs_obj) > MAX_SIGNATURES:
            raise ValidationError(
                f"at most {MAX_SIGNATURES} signatures", field=prefix + "signatures"
            )
        sigs = []
        for i, s in enumerate(sigs_obj):
            where = f"{prefix}signatures[{i}]"
            if not isinstance(s, dict) or set(s) != {"keyid", "sig"}:
                raise ValidationError('must be {"keyid", "sig"}', field=where)
            keyid = s["keyid"]
            if not isinstance(keyid, str) or not _KEYID_RE.fullmatch(keyid):
                raise ValidationError("must be 32 lowercase hex characters", field=where + ".keyid")
            sig = _b64decode(s["sig"], where + ".sig")
            if len(sig) != 64:
                raise ValidationError(
                    f"an Ed25519 signature is 64 bytes, got {len(sig)}", field=where + ".sig"
                )
            sigs.append(Signature(keyid, sig))
        return cls(ptype, payload, tuple(sigs))

    def to_dict(self) -> dict[str, Any]:
        return {
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "payloadType": self.payload_type,
            "signatures": [
                {"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode("ascii")}
                for s in self.signatures
            ],
        }

    def to_json(self) -> bytes:
        """Canonical (RFC 8785) JSON of the envelope: the log entry bytes.

        Every string in an envelope is ASCII that JSON never escapes (base64,
        hex key ids, a payloadType checked against ``[A-Za-z0-9.+/-]``), and
        the keys below are already in JCS order, so plain formatting is JCS.
        """
        sigs = ",".join(
            f'{{"keyid":"{s.keyid}","sig":"{base64.b64encode(s.sig).decode("ascii")}"}}'
            for s in self.signatures
        )
        payload = base64.b64encode(self.payload).decode("ascii")
        return (
            f'{{"payload":"{payload}","payloadType":"{self.payload_type}","signatures":[{sigs}]}}'
        ).encode("ascii")

    def signed_bytes(self) -> bytes:
        """The bytes each signature covers: PAE(payloadType, payload)."""
        return pae(self.payload_type, self.payload)

    @property
    def record_id(self) -> str:
        return record_id(self.payload)

    def payload_json(self) -> Any:
        """The payload parsed as JSON (ValidationError if it is not JSON)."""
        return _decode_json(self.payload, "payload")


def sign_payload(
    record: Mapping[str, Any] | bytes,
    signers: SignerLike | Sequence[SignerLike],
    *,
    payload_type: str = RECORD_PAYLOAD_TYPE,
) -> Envelope:
    """Canonicalise ``record`` (unless already bytes) and sign it with each signer."""
    payload = record if isinstance(record, bytes) else canonical_json(record)
    signer_list = list(signers) if isinstance(signers, Sequence) else [signers]
    message = pae(payload_type, payload)
    sigs = tuple(Signature(s.keyid, s.sign(message)) for s in signer_list)
    return Envelope(payload_type, payload, sigs)
