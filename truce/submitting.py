"""Signing and submitting records through the facade (a mixin of :class:`truce.mission.Mission`).

:meth:`Submitting.sign` signs a record's canonical bytes; a record that lists
fields under ``sealed`` goes through :meth:`Submitting.seal_and_sign`, which
replaces their values by commitments and returns the reveals the mission must
keep (:mod:`truce.records.commitments`). :meth:`Submitting.submit` hands
envelopes, with the blobs and reveals they need, to intake
(:class:`truce.intake.gate.Gate`): all or nothing, durable once it returns.

Example::

    receipt = mission.submit_record(mission.new_record("observation", body), monitor)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from truce.envelopes import Envelope, canonical_json, sign_payload
from truce.errors import ValidationError
from truce.intake.gate import Admitted, Gate, Receipt
from truce.keys import Signer
from truce.records import parse_record, to_payload_dict
from truce.records.commitments import SALT_BYTES, Reveal, seal_fields

__all__ = ["Submitting"]


class Submitting:
    """Sign, seal and submit records."""

    _gate: Gate
    #: When set, the salts of sealed fields are derived from it and the record
    #: (reproducible demos); otherwise they are random. Never set for real work.
    sealing_entropy: bytes | None

    def sign(self, record: Mapping[str, Any], signer: Signer) -> Envelope:
        """Validate a record, normalise it, and sign its canonical bytes. A record
        that lists fields to seal goes through :meth:`seal_and_sign` instead."""
        if isinstance(record.get("sealed"), list | tuple):
            raise ValidationError(
                "this record seals fields: sign it with seal_and_sign, which also "
                "returns the values the mission must keep",
                field="sealed",
            )
        parsed = parse_record(dict(record))
        return sign_payload(canonical_json(to_payload_dict(parsed)), signer)

    def seal_and_sign(
        self, record: Mapping[str, Any], signer: Signer
    ) -> tuple[Envelope, list[Reveal]]:
        """Sign a record whose ``sealed`` lists field paths: their values are
        replaced by salted commitments (:mod:`truce.records.commitments`) and
        returned as reveals, to be submitted beside the envelope. Salts are random
        unless :attr:`sealing_entropy` is set (reproducible demos)."""
        paths = record.get("sealed")
        if not isinstance(paths, list | tuple):
            return self.sign(record, signer), []
        body = {k: v for k, v in record.items() if k != "sealed"}
        payload, reveals = seal_fields(body, [str(p) for p in paths], salt=self._salt(body))
        return self.sign(payload, signer), reveals

    def _salt(self, body: Mapping[str, Any]) -> Callable[[str], bytes] | None:
        entropy = self.sealing_entropy
        if entropy is None:
            return None
        digest = canonical_json(dict(body))

        def salt(path: str) -> bytes:
            data = digest + b"\x00" + path.encode("utf-8")
            return hashlib.blake2b(data, key=entropy[:64], digest_size=SALT_BYTES).digest()

        return salt

    def submit(
        self,
        envelopes: Sequence[bytes | Envelope],
        *,
        blobs: Mapping[str, bytes] | None = None,
        reveals: Mapping[str, Sequence[Reveal]] | None = None,
    ) -> list[Receipt]:
        """Store signed envelopes, all or nothing; returns once durable.

        ``blobs`` (SHA-256 hex -> bytes) are the blobs the records reference
        (an agreement version's geography); ``reveals`` (record id -> reveals)
        the values of the fields the records seal. Both are stored in the same
        transaction; neither is part of the log.
        """
        raws = [e.to_json() if isinstance(e, Envelope) else e for e in envelopes]
        receipts, _ = self._gate.admit(raws, blobs=blobs, reveals=reveals)
        return receipts

    def check(
        self,
        envelopes: Sequence[bytes | Envelope],
        *,
        blobs: Mapping[str, bytes] | None = None,
        reveals: Mapping[str, Sequence[Reveal]] | None = None,
    ) -> list[Admitted]:
        """Validate envelopes exactly as :meth:`submit` would, storing nothing."""
        raws = [e.to_json() if isinstance(e, Envelope) else e for e in envelopes]
        return self._gate.check(raws, blobs=blobs, reveals=reveals, against_store=True)

    def submit_record(self, record: Mapping[str, Any], signer: Signer) -> Receipt:
        """Sign (sealing what it lists under ``sealed``) and store one record."""
        return self.submit_records([(record, signer)])[0]

    def submit_records(
        self, items: Iterable[tuple[Mapping[str, Any], Signer]], *, batch_size: int = 500
    ) -> list[Receipt]:
        """Sign and store many records in atomic batches of ``batch_size``."""
        receipts: list[Receipt] = []
        batch: list[Envelope] = []
        sealed: dict[str, list[Reveal]] = {}
        for record, signer in items:
            envelope, reveals = self.seal_and_sign(record, signer)
            batch.append(envelope)
            if reveals:
                sealed[envelope.record_id] = reveals
            if len(batch) >= batch_size:
                receipts.extend(self.submit(batch, reveals=sealed))
                batch, sealed = [], {}
        if batch:
            receipts.extend(self.submit(batch, reveals=sealed))
        return receipts
