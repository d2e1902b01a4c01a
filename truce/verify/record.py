"""A record's inclusion proof as a file anyone can check offline, and its check.

``truce log prove REF`` writes a :class:`RecordProof` as JSON: the log entry
(the record's signed envelope) as exact bytes, its index, the signed
checkpoint it is proven against and the RFC 9162 inclusion proof::

    {"format": "truce-record-proof/1",
     "record_id": "<sha256 of the payload, hex>",
     "index": 41, "size": 3350,
     "entry_base64": "<the entry's exact bytes>",
     "leaf_hash": "<base64>", "proof": ["<base64>", ...], "root": "<base64>",
     "checkpoint": "<the signed note>",
     "entry": {...the entry, parsed, for people to read...}}

:func:`verify_record_proof` trusts only the exact bytes and the verifier key:
the checkpoint must be signed by a log key, the entry must hash (RFC 6962
``SHA-256(0x00 || entry)``) and prove up to the checkpoint's root. The
informative fields (``record_id``, ``leaf_hash``, ``root``, ``size``,
``entry``) must agree with what the bytes say, so a doctored file cannot say
one thing and prove another. Given a :class:`~truce.verify.log.LogClient` of
the published log, it also proves the proof's checkpoint consistent with the
log's latest and reads the entry back from the published bundle.

Depends only on :mod:`truce.ledger` and the standard library.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from truce.ledger import ProofError, leaf_hash, verify_inclusion
from truce.ledger.note import NoteVerifier
from truce.verify._errors import VerificationFailed
from truce.verify.log import LogClient, SignedCheckpoint

__all__ = ["RECORD_PROOF_FORMAT", "RecordCheck", "RecordProof", "verify_record_proof"]

#: The ``format`` member of a record proof file.
RECORD_PROOF_FORMAT = "truce-record-proof/1"

_WHAT = "record proof"


def _b64(value: object, field: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationFailed(_WHAT, f"{field} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise VerificationFailed(_WHAT, f"{field} is not valid base64") from None


def _enc(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class RecordProof:
    """Entry ``index`` of the log, with its inclusion ``proof`` in ``checkpoint``."""

    index: int
    size: int
    entry: bytes
    proof: tuple[bytes, ...]
    checkpoint: bytes

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (see the module docstring)."""
        try:
            readable: Any = json.loads(self.entry)
        except ValueError:
            readable = None
        root = _root_of(self.checkpoint)
        return {
            "format": RECORD_PROOF_FORMAT,
            "record_id": _record_id(self.entry),
            "index": self.index,
            "size": self.size,
            "entry_base64": _enc(self.entry),
            "leaf_hash": _enc(leaf_hash(self.entry)),
            "proof": [_enc(h) for h in self.proof],
            "root": root,
            "checkpoint": self.checkpoint.decode("utf-8"),
            "entry": readable,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> RecordProof:
        """Parse a proof file; :class:`VerificationFailed` (``record proof``) names what is wrong.

        The informative members must agree with the exact ones (entry bytes,
        proof, checkpoint); their agreement is checked here.
        """
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise VerificationFailed(_WHAT, f"not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise VerificationFailed(_WHAT, "not a JSON object")
        if doc.get("format") != RECORD_PROOF_FORMAT:
            raise VerificationFailed(_WHAT, f"format is not {RECORD_PROOF_FORMAT!r}")
        index, size = doc.get("index"), doc.get("size")
        for name, value in (("index", index), ("size", size)):
            if type(value) is not int or value < 0:
                raise VerificationFailed(_WHAT, f"{name} must be an integer >= 0")
        proof = doc.get("proof")
        if not isinstance(proof, list):
            raise VerificationFailed(_WHAT, "proof must be a list of base64 hashes")
        note = doc.get("checkpoint")
        if not isinstance(note, str):
            raise VerificationFailed(_WHAT, "checkpoint must be the signed note's text")
        assert isinstance(index, int) and isinstance(size, int)
        out = cls(
            index=index,
            size=size,
            entry=_b64(doc.get("entry_base64"), "entry_base64"),
            proof=tuple(_b64(h, f"proof[{i}]") for i, h in enumerate(proof)),
            checkpoint=note.encode("utf-8"),
        )
        derived = out.to_dict()
        for name in ("record_id", "leaf_hash", "root", "entry"):
            if doc.get(name) != derived[name]:
                raise VerificationFailed(
                    _WHAT, f"{name} does not match the entry and checkpoint it comes with"
                )
        return out


@dataclass(frozen=True)
class RecordCheck:
    """What :func:`verify_record_proof` established."""

    record_id: str
    index: int
    checkpoint: SignedCheckpoint
    #: The log's latest checkpoint, when the published log was checked too.
    latest: SignedCheckpoint | None = None


def verify_record_proof(
    proof: RecordProof,
    origin: str,
    verifiers: Iterable[NoteVerifier | str],
    *,
    client: LogClient | None = None,
) -> RecordCheck:
    """Check a record proof offline, and against the published log with ``client``.

    Raises :class:`VerificationFailed` naming the checkpoint or the entry at
    fault, or :class:`~truce.verify.InconsistentLogError` if the log's latest
    checkpoint does not extend the one in the proof (a split view).
    """
    opener = client if client is not None else LogClient(_no_fetch, origin, verifiers)
    cp = opener.open(proof.checkpoint)
    what = f"entry {proof.index}"
    if cp.size != proof.size:
        raise VerificationFailed(
            what, f"the proof says size {proof.size}, its checkpoint {cp.size}"
        )
    try:
        verify_inclusion(
            leaf_hash(proof.entry), proof.index, cp.size, list(proof.proof), cp.root_hash
        )
    except ProofError as exc:
        raise VerificationFailed(what, f"not included in the checkpoint: {exc}") from None
    latest = None
    if client is not None:
        latest = client.checkpoint()
        client.prove_consistency(cp, latest)
        if client.entry(proof.index, latest) != proof.entry:
            raise VerificationFailed(what, "the published log holds other bytes at this index")
    return RecordCheck(_record_id(proof.entry), proof.index, cp, latest)


def _no_fetch(path: str) -> bytes:
    raise VerificationFailed(path, "no published log was given to read it from")


def _record_id(entry: bytes) -> str:
    """SHA-256 (hex) of the envelope's payload: the record's id ("" if not an envelope)."""
    try:
        payload = base64.b64decode(json.loads(entry)["payload"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return ""
    return hashlib.sha256(payload).hexdigest()


def _root_of(note: bytes) -> str:
    """The root hash line of a checkpoint note (third line), as the note has it."""
    lines = note.split(b"\n")
    return lines[2].decode("utf-8", "replace") if len(lines) > 2 else ""
