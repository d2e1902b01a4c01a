"""Disclosing sealed fields: a logged act, and a file anyone can check.

A mixin of :class:`truce.mission.Mission`. :meth:`Disclosing.reveals` gives
the mission the values it holds for a record's sealed fields;
:meth:`Disclosing.disclose` hands one out: it logs a ``disclosure`` record
(admin key: who receives which field and why), then returns a **reveal file**
— the value, its salt, the commitment, and the record's inclusion proof in a
signed checkpoint. :func:`check_reveal` (``truce verify reveal``) needs only
that file and the log's verifier key (and, optionally, the published log): the
proof shows the record is in the log, the record's signed ``sealed`` entry
gives the commitment, and the value and salt must open it.

Reveal file (JSON)::

    {"format": "truce-reveal/1", "record_id": "<hex>", "path": "observed_by.monitor",
     "value": "m-107", "salt": "<base64, 32 bytes>", "commitment": "<hex>",
     "disclosure": "<record id of the logged disclosure>",
     "proof": { ...a truce-record-proof/1 document... }}
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from truce.errors import NotFound, ValidationError
from truce.intake.gate import Receipt
from truce.keys import Signer
from truce.records import Observation, parse_record
from truce.records.commitments import Reveal
from truce.store import Store

__all__ = ["REVEAL_FORMAT", "Disclosing", "RevealFile", "parse_reveal_file"]

REVEAL_FORMAT = "truce-reveal/1"


class Disclosing:
    """The mission's sealed values: read them (mission only), disclose one (logged)."""

    store: Store
    new_record: Callable[..., dict[str, Any]]
    submit_record: Callable[[Mapping[str, Any], Signer], Receipt]
    prove: Callable[[str], dict[str, Any]]

    def reveals(self, ref: str) -> list[Reveal]:
        """The values and salts of the fields record ``ref`` seals (mission only:
        handing one out is :meth:`disclose`)."""
        stored = self.store.resolve(ref)
        return [
            Reveal(path, json.loads(value), base64.b64decode(salt))
            for path, value, salt in self.store.reveals(stored.record_id)
        ]

    def disclose(
        self, ref: str, path: str, admin: Signer, *, to: str, reason: str
    ) -> dict[str, Any]:
        """Log the disclosure of field ``path`` of record ``ref`` to ``to`` and
        return the reveal file (see the module docstring)."""
        stored = self.store.resolve(ref)
        found = [r for r in self.reveals(stored.record_id) if r.path == path]
        if not found:
            raise NotFound("sealed field", f"{path} of {stored.record_id[:12]}")
        body = {"record": stored.record_id, "path": path, "to": to, "reason": reason}
        receipt = self.submit_record(self.new_record("disclosure", body), admin)
        reveal = found[0]
        return {
            "format": REVEAL_FORMAT,
            "record_id": stored.record_id,
            **reveal.to_dict(),
            "commitment": reveal.commitment,
            "disclosure": receipt.record_id,
            "proof": self.prove(stored.record_id),
        }


@dataclass(frozen=True)
class RevealFile:
    """A parsed reveal file: the reveal and the proof document it comes with."""

    record_id: str
    reveal: Reveal
    commitment: str
    proof: dict[str, Any]


def parse_reveal_file(data: bytes | str) -> RevealFile:
    """Parse a reveal file; ValidationError names what is malformed."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ValidationError(f"not JSON: {exc}", field="reveal") from None
    if not isinstance(doc, dict) or doc.get("format") != REVEAL_FORMAT:
        raise ValidationError(f"not a {REVEAL_FORMAT} document", field="reveal.format")
    reveal = Reveal.from_dict(doc, field="reveal")
    record_id, commitment, proof = doc.get("record_id"), doc.get("commitment"), doc.get("proof")
    if not isinstance(record_id, str) or not isinstance(commitment, str):
        raise ValidationError("record_id and commitment must be hex text", field="reveal")
    if not isinstance(proof, dict):
        raise ValidationError("must be a record proof document", field="reveal.proof")
    return RevealFile(record_id, reveal, commitment, proof)


def sealed_commitment(payload: bytes, path: str) -> str:
    """The commitment a signed observation payload holds for ``path``."""
    record = parse_record(payload)
    sealed = record.sealed if isinstance(record, Observation) else None
    if not sealed or path not in sealed:
        raise ValidationError(f"the record seals no field {path}", field="reveal.path")
    return str(dict(sealed)[path])
