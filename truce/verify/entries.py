"""Audit every log entry's signed envelope, with keys learnt from the log itself.

A party auditing the published log has no access to the mission's database:
the key registry is in the log (``key`` records: enrolment, rotation,
revocation, signed by an admin key; the very first entry is the mission's
admin key enrolling itself). :class:`EntryAuditor` replays it in log order and
checks each entry against the keys in force *at that point*: a record signed
by an unknown, revoked or retired key, or whose signature does not verify,
fails — exactly the rules intake applied when it accepted the record. Given a
``fetch`` function, it also fetches every blob an agreement record references
(its geography, published at ``blob/<sha256>``) and checks its SHA-256 and size.

Self-contained on purpose (JSON, base64, DSSE pre-authentication encoding,
Ed25519 via PyNaCl): ``truce.verify`` must be vendorable with ``truce.ledger``
alone, so it does not import the mission's own envelope code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nacl.bindings
import nacl.exceptions

from truce.ledger.tiles import TileError, blob_path
from truce.verify._errors import FetchError, VerificationFailed

__all__ = ["RECORD_PAYLOAD_TYPE", "EntryAuditor"]

RECORD_PAYLOAD_TYPE = "application/vnd.truce.record+json"


@dataclass
class _Key:
    public_key: bytes
    role: str
    status: str = "active"


def _pae(payload_type: str, payload: bytes) -> bytes:
    ptype = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)


def _keyid(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:32]


@dataclass
class EntryAuditor:
    """Call it with ``(index, entry)`` for every entry, in order; raises on the first bad one."""

    #: Reads published files: with it, the blobs agreement records reference
    #: are fetched and checked against their SHA-256 and size.
    fetch: Callable[[str], bytes] | None = None
    keys: dict[str, _Key] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)
    mission: str | None = None
    next_index: int = 0
    #: SHA-256 (hex) of every blob checked, with the index of the first entry citing it.
    blobs: dict[str, int] = field(default_factory=dict)

    def __call__(self, index: int, entry: bytes) -> None:
        what = f"entry {index}"
        if index != self.next_index:
            raise VerificationFailed(what, f"entries out of order (expected {self.next_index})")
        self.next_index += 1  # a bad entry is reported once, not as a cascade of misorders
        env, payload, record = self._decode(what, entry)
        kind = record.get("type")
        if not isinstance(kind, str):
            raise VerificationFailed(what, "the record has no type")
        mission = record.get("mission")
        if self.mission is None:
            self.mission = mission if isinstance(mission, str) else None
        elif mission != self.mission:
            raise VerificationFailed(what, f"record of mission {mission!r} in {self.mission!r}")
        signer = self._check_signatures(what, index, env, payload, record)
        if kind == "key":
            self._apply_key(what, record, signer)
        elif kind == "agreement" and self.fetch is not None:
            self._check_blobs(what, index, record)
        self.kinds[kind] += 1

    @staticmethod
    def _decode(what: str, entry: bytes) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
        try:
            env = json.loads(entry)
            payload = base64.b64decode(env["payload"], validate=True)
            record = json.loads(payload)
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise VerificationFailed(what, f"not a signed record envelope: {exc}") from None
        if not isinstance(env, dict) or not isinstance(record, dict):
            raise VerificationFailed(what, "not a signed record envelope")
        if env.get("payloadType") != RECORD_PAYLOAD_TYPE:
            raise VerificationFailed(what, f"payloadType is not {RECORD_PAYLOAD_TYPE}")
        sigs = env.get("signatures")
        if not isinstance(sigs, list) or not sigs:
            raise VerificationFailed(what, "no signatures")
        return env, payload, record

    def _check_signatures(
        self, what: str, index: int, env: dict[str, Any], payload: bytes, record: dict[str, Any]
    ) -> _Key:
        message = _pae(RECORD_PAYLOAD_TYPE, payload)
        author: _Key | None = None
        for i, sig in enumerate(env["signatures"]):
            if not isinstance(sig, dict):
                raise VerificationFailed(what, f"signature {i} is malformed")
            keyid = sig.get("keyid")
            key = self.keys.get(keyid) if isinstance(keyid, str) else None
            if key is None and index == 0 and i == 0:
                key = self._bootstrap(what, record, keyid)
            if key is None:
                raise VerificationFailed(what, f"signed by key {keyid!r}, never enrolled before")
            if key.status != "active":
                raise VerificationFailed(what, f"signed by key {keyid} after it was {key.status}")
            try:
                raw_sig = base64.b64decode(str(sig.get("sig")), validate=True)
                nacl.bindings.crypto_sign_open(raw_sig + message, key.public_key)
            except (binascii.Error, nacl.exceptions.BadSignatureError, ValueError):
                raise VerificationFailed(what, f"signature {i} does not verify") from None
            author = author or key
        assert author is not None
        return author

    @staticmethod
    def _bootstrap(what: str, record: dict[str, Any], keyid: Any) -> _Key | None:
        if (record.get("type"), record.get("action"), record.get("role")) != (
            "key",
            "enrol",
            "admin",
        ):
            raise VerificationFailed(what, "the first entry is not an admin key enrolling itself")
        public = _public_key(what, record)
        if _keyid(public) != keyid or record.get("keyid") != keyid:
            raise VerificationFailed(what, "the first entry is not signed by the key it enrols")
        return _Key(public, "admin")

    def _apply_key(self, what: str, record: dict[str, Any], signer: _Key) -> None:
        if signer.role != "admin":
            raise VerificationFailed(what, "a key record signed by a key that is not an admin's")
        action, keyid = record.get("action"), record.get("keyid")
        if not isinstance(keyid, str):
            raise VerificationFailed(what, "a key record without keyid")
        if action in ("enrol", "rotate"):
            public = _public_key(what, record)
            if _keyid(public) != keyid:
                raise VerificationFailed(what, "keyid does not match the public key")
            if keyid in self.keys:
                raise VerificationFailed(what, f"key {keyid} enrolled twice")
            if action == "rotate":
                old = self.keys.get(str(record.get("replaces")))
                if old is None or old.status != "active":
                    raise VerificationFailed(what, "rotation of a key that is not active")
                old.status = "retired"
            self.keys[keyid] = _Key(public, str(record.get("role")))
        elif action == "revoke":
            key = self.keys.get(keyid)
            if key is None:
                raise VerificationFailed(what, f"revocation of unknown key {keyid}")
            key.status = "revoked"
        else:
            raise VerificationFailed(what, f"unknown key action {action!r}")

    def _check_blobs(self, what: str, index: int, record: dict[str, Any]) -> None:
        assert self.fetch is not None
        for where, ref in _blob_refs(record):
            sha, size = ref.get("sha256"), ref.get("size")
            if not isinstance(sha, str) or len(sha) != 64 or type(size) is not int:
                raise VerificationFailed(what, f"{where}: a malformed blob reference")
            if sha in self.blobs:
                continue
            try:
                path = blob_path(sha)
            except TileError:
                raise VerificationFailed(what, f"{where}: a malformed blob reference") from None
            try:
                data = self.fetch(path)
            except (FetchError, FileNotFoundError) as exc:
                raise VerificationFailed(what, f"{where}: {exc}") from None
            if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
                raise VerificationFailed(
                    what,
                    f"{where}: {path} ({len(data)} bytes) is not the blob the record "
                    f"references ({size} bytes, SHA-256 {sha})",
                )
            self.blobs[sha] = index


def _blob_refs(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(field path, reference)`` of each blob an agreement record's geography cites."""
    out: list[tuple[str, dict[str, Any]]] = []
    document = record.get("document")
    geography = document.get("geography") if isinstance(document, dict) else None
    if not isinstance(geography, dict):
        return out
    for kind in ("zones", "lines", "sites"):
        layers = geography.get(kind)
        for i, layer in enumerate(layers if isinstance(layers, list) else ()):
            source = layer.get("source") if isinstance(layer, dict) else None
            ref = source.get("blob") if isinstance(source, dict) else None
            if isinstance(ref, dict):
                out.append((f"document.geography.{kind}[{i}].source.blob", ref))
    return out


def _public_key(what: str, record: dict[str, Any]) -> bytes:
    try:
        public = base64.b64decode(str(record.get("public_key")), validate=True)
    except binascii.Error:
        raise VerificationFailed(what, "public_key is not base64") from None
    if len(public) != 32:
        raise VerificationFailed(what, "public_key is not 32 bytes")
    return public
