"""The gate every submission passes before it is stored.

DESIGN §3: *validate schema, signature, key status, agreement version → clear
error, nothing stored*. :meth:`Gate.admit` checks a batch of envelopes in
full, then hands it to the store in one transaction; if any envelope fails,
the error names it (``[3].payload.location.lat``) and nothing is stored.

Order of checks, cheapest rejection first: envelope shape and size → key known
and active → signature over the received bytes → record schema and size →
mission, times, role → references (keys, agreement versions, superseded and
cited records).

The payload is stored exactly as received and signed. Intake does not
re-canonicalise it (DESIGN §5: canonicalising costs nearly as much as the
signature check; it happens once, at signing — :func:`truce.envelopes.sign_payload`).
Every record Truce signs is RFC 8785 canonical; :func:`truce.envelopes.load_canonical`
lets a verifier check that of any payload.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from truce.agreement import Agreement
from truce.agreement.book import AgreementBook
from truce.blobs import check_blobs
from truce.envelopes import MAX_PAYLOAD_BYTES, RECORD_PAYLOAD_TYPE, Envelope, canonical_json
from truce.errors import AuthError, Conflict, Error, FieldError, NotFound, ValidationError
from truce.intake.workflow import check_workflow
from truce.keys import apply_key_event, verify_signature
from truce.records import (
    AgreementVersion,
    Allegation,
    Correction,
    Correspondence,
    Finding,
    KeyEvent,
    Observation,
    Record,
    Release,
    event_time,
    future_times,
    parse_record,
    subject,
)
from truce.records.commitments import Reveal
from truce.roles import check_may_submit
from truce.store import KeyState, NewRecord, Store
from truce.workflow import Related

__all__ = ["MAX_RECORD_BYTES", "Admitted", "Gate", "Receipt"]

#: Size limit of every record's payload (the envelope's: a log entry must fit 64 KiB).
MAX_RECORD_BYTES = MAX_PAYLOAD_BYTES
#: How far in the future a signed time may be (clock skew between devices).
DEFAULT_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Receipt:
    """The acknowledgement of a stored record: durable once returned."""

    seq: int
    record_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class Admitted:
    """A checked envelope, ready to store: the record, its row, and key changes."""

    record: Record
    envelope: Envelope
    new: NewRecord
    signer: KeyState
    key_updates: tuple[KeyState, ...] = ()


def _with_reveals(admitted: Admitted, reveals: Sequence[Reveal]) -> Admitted:
    """``admitted`` with the reveals of its sealed fields, each checked."""
    record = admitted.record
    sealed = dict(record.sealed or {}) if isinstance(record, Observation) else {}
    given = {r.path: r for r in reveals}
    if len(given) != len(reveals):
        raise ValidationError("a field is revealed twice", field="reveals")
    for path, expected in sorted(sealed.items()):
        reveal = given.pop(path, None)
        if reveal is None:
            raise ValidationError(
                "is sealed but its value and salt were not sent: the mission must hold them",
                field=f"reveals[{path!r}]",
            )
        reveal.check(expected)
    if given:
        extra = sorted(given)[0]
        raise ValidationError("the record seals no such field", field=f"reveals[{extra!r}]")
    if not sealed:
        return admitted
    rows = tuple(
        (r.path, canonical_json(r.value).decode("utf-8"), r.to_dict()["salt"])
        for r in sorted(reveals, key=lambda r: r.path)
    )
    return replace(admitted, new=replace(admitted.new, reveals=rows))


def _located(exc: Error, index: int, size: int) -> Error:
    """The error, naming the envelope in a batch of more than one."""
    if size == 1:
        return exc
    if isinstance(exc, ValidationError):
        return exc.prefixed(f"[{index}]")
    return exc.located(f"envelope [{index}]")


def _iso(dt: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (the store keeps whole seconds, in UTC)."""
    if dt is None:
        return None
    if dt.utcoffset():
        dt = dt.astimezone(UTC)
    return dt.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@dataclass
class _Batch:
    """What earlier envelopes of the same batch change, visible to later ones."""

    base: int = 0  # the store's size when the batch was started
    keys: dict[str, KeyState] = field(default_factory=dict)
    records: dict[str, Admitted] = field(default_factory=dict)
    agreements: dict[tuple[str, int], Agreement] = field(default_factory=dict)
    #: Blobs supplied with the batch, and those its records reference (to store).
    blobs: Mapping[str, bytes] = field(default_factory=dict)
    used_blobs: dict[str, bytes] = field(default_factory=dict)


class Gate:
    """Validates envelopes against the mission's state and stores them atomically."""

    def __init__(
        self,
        store: Store,
        mission_id: str,
        *,
        agreements: AgreementBook,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        skew: timedelta = DEFAULT_SKEW,
    ) -> None:
        self._store = store
        self._mission_id = mission_id
        self._agreements = agreements
        self._clock = clock
        self._skew = skew
        # Key id -> state. A key's public key, role and holder never change, so
        # caching is safe; its *status* is re-checked by the store inside the
        # write transaction (``require_active``), so a revocation made by
        # another process cannot slip through a stale entry.
        self._key_cache: dict[str, KeyState] = {}

    # -- public -------------------------------------------------------------

    def check(
        self,
        raws: Sequence[bytes],
        *,
        blobs: Mapping[str, bytes] | None = None,
        reveals: Mapping[str, Sequence[Reveal]] | None = None,
        against_store: bool = False,
    ) -> list[Admitted]:
        """Validate a batch without storing it; raises the first bad envelope's error.

        ``blobs`` (SHA-256 hex -> bytes) are the blobs the batch's records
        reference (an agreement version's geography); a referenced blob must be
        supplied or already stored, and every supplied blob must be referenced.
        ``reveals`` (record id -> :class:`~truce.records.commitments.Reveal`)
        open the fields a record seals: every sealed field of a record needs
        its reveal, each must open its commitment, and every reveal must belong
        to a record of the batch; they are stored with the record, apart from
        the log. With ``against_store``, also refuse records already stored (which
        :meth:`admit` leaves to the store's own check inside its transaction).

        The work runs in phases over the whole batch — open every envelope,
        verify every signature whose key is already enrolled, parse every
        record, then the in-order checks that depend on what came earlier in
        the batch — because tight loops of one kind of work run about twice as
        fast as interleaving them per record (caches stay warm). The errors
        and their precedence are exactly those of checking one envelope after
        the other: phase 4 raises, in envelope order, whatever the earlier
        phases found.
        """
        return self._check_batch(raws, blobs or {}, reveals or {}, against_store)[0]

    def _check_batch(
        self,
        raws: Sequence[bytes],
        blobs: Mapping[str, bytes],
        reveals: Mapping[str, Sequence[Reveal]],
        against_store: bool,
    ) -> tuple[list[Admitted], dict[str, bytes]]:
        if not raws:
            raise ValidationError("an empty batch", field="envelopes")
        batch = _Batch(base=self._store.size(), blobs=dict(check_blobs(blobs)))
        now = self._clock()
        envs: list[Envelope] = []
        broken: tuple[int, Error] | None = None
        for i, raw in enumerate(raws):  # phase 1: envelopes
            try:
                envs.append(self._open(raw))
            except Error as exc:
                broken = (i, exc)
                break
        verified: dict[tuple[int, int], bool] = {}
        for i, env in enumerate(envs):  # phase 2: signatures by keys enrolled before the batch
            message = env.signed_bytes()
            for j, sig in enumerate(env.signatures):
                key = self._lookup_key(sig.keyid, batch)
                if key is not None:
                    verified[(i, j)] = verify_signature(key.public_key, message, sig.sig)
        parsed: list[Record | ValidationError] = []
        for env in envs:  # phase 3: record schemas
            try:
                parsed.append(parse_record(env.payload))
            except ValidationError as exc:
                parsed.append(exc.prefixed("payload"))
        out: list[Admitted] = []
        for i, env in enumerate(envs):  # phase 4: in order, with what the batch changes
            try:
                admitted = self._check_one(env, parsed[i], verified, i, batch, now)
                admitted = _with_reveals(admitted, reveals.get(admitted.new.record_id, ()))
            except Error as exc:
                raise _located(exc, i, len(raws)) from None
            if against_store:
                try:
                    stored = self._store.get(admitted.new.record_id)
                except NotFound:
                    pass
                else:
                    dup = Conflict(
                        f"record {stored.record_id} is already stored at seq {stored.seq}",
                        existing={"record_id": stored.record_id, "seq": stored.seq},
                    )
                    raise _located(dup, i, len(raws))
            out.append(admitted)
            batch.records[admitted.new.record_id] = admitted
        if broken is not None:
            raise _located(broken[1], broken[0], len(raws)) from None
        if stray := sorted(reveals.keys() - batch.records.keys()):
            raise ValidationError(
                "no record of the batch has this id", field=f"reveals[{stray[0]!r}]"
            )
        if unused := sorted(batch.blobs.keys() - batch.used_blobs.keys()):
            raise ValidationError(
                "no record of the batch references this blob", field=f"blobs[{unused[0]!r}]"
            )
        return out, batch.used_blobs

    def admit(
        self,
        raws: Sequence[bytes],
        *,
        blobs: Mapping[str, bytes] | None = None,
        reveals: Mapping[str, Sequence[Reveal]] | None = None,
    ) -> tuple[list[Receipt], list[Admitted]]:
        """Check a batch (see :meth:`check`) and append it, with the blobs its
        records reference and their sealed values, in one durable transaction."""
        admitted, used = self._check_batch(raws, blobs or {}, reveals or {}, against_store=False)
        updates = [u for a in admitted for u in a.key_updates]
        require = {a.signer.keyid for a in admitted} - {u.keyid for u in updates}
        seqs = self._store.append(
            [a.new for a in admitted], key_updates=updates, require_active=require, blobs=used
        )
        for u in updates:
            self._key_cache[u.keyid] = u
        receipts = [
            Receipt(seq, a.new.record_id, a.new.kind) for seq, a in zip(seqs, admitted, strict=True)
        ]
        return receipts, admitted

    # -- internals ----------------------------------------------------------

    def _lookup_key(self, keyid: str, batch: _Batch) -> KeyState | None:
        if keyid in batch.keys:
            return batch.keys[keyid]
        cached = self._key_cache.get(keyid)
        if cached is not None:
            return cached
        try:
            state = self._store.key(keyid)
        except NotFound:
            return None
        self._key_cache[keyid] = state
        return state

    def _open(self, raw: bytes) -> Envelope:
        env = Envelope.from_json(raw)
        if env.payload_type != RECORD_PAYLOAD_TYPE:
            raise ValidationError(
                f"payloadType must be {RECORD_PAYLOAD_TYPE!r}", field="payloadType"
            )
        return env

    def _check_one(
        self,
        env: Envelope,
        parsed: Record | ValidationError,
        verified: dict[tuple[int, int], bool],
        index: int,
        batch: _Batch,
        now: datetime,
    ) -> Admitted:
        bootstrap = batch.base == 0 and not batch.records
        signer = self._authenticate(env, batch, bootstrap, verified, index)
        if isinstance(parsed, ValidationError):
            raise parsed
        record = parsed

        if record.mission != self._mission_id:
            raise ValidationError(
                f"record is for mission {record.mission!r}, this is {self._mission_id!r}",
                field="payload.mission",
            )
        late = future_times(record, now, self._skew)
        if late:
            raise ValidationError(
                late[0].reason,
                errors=[FieldError(f"payload.{e.field}", e.reason) for e in late],
            )
        check_may_submit(signer.role, record.type, keyid=signer.keyid)

        rid = env.record_id
        if rid in batch.records:
            raise Conflict(f"record {rid} appears twice in the batch", existing={"record_id": rid})
        seq = batch.base + len(batch.records)
        updates = self._check_record(record, signer, batch, seq)
        related = Related(
            self._store, lambda k: self._lookup_key(k, batch), batch.records, batch.base
        )
        check_workflow(record, signer, related, now, self._agreements)
        new = NewRecord(
            record_id=rid,
            kind=record.type,
            keyid=signer.keyid,
            payload=env.payload,
            entry=env.to_json(),
            signed_at=_iso(record.signed_at) or "",
            event_time=_iso(event_time(record)),
            subject=subject(record),
            synthetic=record.synthetic,
        )
        return Admitted(record, env, new, signer, tuple(updates))

    def _authenticate(
        self,
        env: Envelope,
        batch: _Batch,
        bootstrap: bool,
        verified: dict[tuple[int, int], bool],
        index: int,
    ) -> KeyState:
        """Check every signature (``verified`` holds results found ahead); the first signs."""
        author: KeyState | None = None
        for i, sig in enumerate(env.signatures):
            key = self._lookup_key(sig.keyid, batch)
            if key is None and bootstrap and i == 0:
                key = self._bootstrap_key(env, sig.keyid)
            if key is None:
                raise AuthError(
                    f"unknown key {sig.keyid} (not enrolled in this mission)",
                    keyid=sig.keyid,
                    hint="enrol it first: truce keys new NAME --role ROLE",
                )
            if key.status != "active":
                raise AuthError(f"key {sig.keyid} is {key.status}", keyid=sig.keyid)
            ok = verified.get((index, i))
            if ok is None:
                ok = verify_signature(key.public_key, env.signed_bytes(), sig.sig)
            if not ok:
                raise AuthError(
                    f"signature {i} does not verify: the payload was altered or signed "
                    "with another key",
                    keyid=sig.keyid,
                )
            author = author or key
        assert author is not None  # envelopes have at least one signature
        return author

    def _bootstrap_key(self, env: Envelope, keyid: str) -> KeyState | None:
        """The first record of a mission: the admin key enrolling itself."""
        obj = env.payload_json()
        if (
            not isinstance(obj, dict)
            or obj.get("type") != "key"
            or obj.get("action") != "enrol"
            or obj.get("role") != "admin"
        ):
            return None
        if obj.get("keyid") != keyid:
            return None
        try:
            pub = base64.b64decode(str(obj.get("public_key", "")), validate=True)
        except binascii.Error:
            return None
        return KeyState(keyid, pub, "admin", str(obj.get("principal")), None, "active", 0, 0)

    def _check_record(
        self, record: Record, signer: KeyState, batch: _Batch, seq: int
    ) -> list[KeyState]:
        updates: list[KeyState] = []
        if isinstance(record, KeyEvent):
            lookup = dict(self._known_keys(batch, record))
            updates = apply_key_event(
                action=record.action,
                keyid=record.keyid,
                public_key=record.public_key_bytes(),
                role=record.role,
                principal=record.principal,
                party=record.party,
                replaces=record.replaces,
                seq=seq,
                lookup=lookup,
            )
            for u in updates:
                batch.keys[u.keyid] = u
        elif isinstance(record, AgreementVersion):
            self._check_agreement(record, batch)
        elif isinstance(record, Allegation):
            self._require_party(signer, record.party, "payload.party")
            if record.claim.term is not None:
                self._require_term(
                    record.claim.term.id, record.claim.term.agreement_version, "payload.claim.term"
                )
        elif isinstance(record, Correspondence):
            self._require_party(signer, record.from_party, "payload.from_party")
        elif isinstance(record, Release):
            self._require_blob(record.report, record.size, batch, "payload.report")
        elif isinstance(record, Finding):
            for i, ref in enumerate(record.allegations):
                self._require_record(ref, {"allegation"}, batch, f"allegations[{i}]")
            for i, ref in enumerate(record.observations):
                self._require_record(ref, {"observation"}, batch, f"observations[{i}]")
            self._require_term(record.term.id, record.term.agreement_version, "payload.term")
        elif isinstance(record, Correction):
            original_key = self._require_record(record.supersedes, None, batch, "supersedes")
            if record.replacement is not None:
                self._require_record(record.replacement, None, batch, "replacement")
            if signer.role not in ("analyst", "approver") and original_key != signer.principal:
                raise AuthError(
                    "only the original author, an analyst or an approver may correct a record",
                    keyid=signer.keyid,
                )
        return updates

    def _known_keys(self, batch: _Batch, record: KeyEvent) -> dict[str, KeyState]:
        lookup: dict[str, KeyState] = {}
        for keyid in {record.keyid, record.replaces or ""} - {""}:
            key = self._lookup_key(keyid, batch)
            if key is not None:
                lookup[keyid] = key
        return lookup

    def _check_agreement(self, record: AgreementVersion, batch: _Batch) -> None:
        def lookup(sha256: str) -> bytes | None:
            data = batch.blobs.get(sha256)
            if data is None:
                data = self._store.get_blob(sha256)
            if data is not None and sha256 in batch.blobs:
                batch.used_blobs[sha256] = data
            return data

        try:
            agreement = Agreement.from_document(
                record.document, source="payload.document", blobs=lookup
            )
        except ValidationError as exc:
            raise exc.prefixed("payload.document") from None
        key = (record.agreement_id, record.version)
        if key in batch.agreements or self._agreements.get(*key) is not None:
            raise Conflict(
                f"agreement {record.agreement_id} version {record.version} is already loaded; "
                "versions are immutable: load a new version instead",
                existing={"agreement": record.agreement_id, "version": record.version},
            )
        later = [
            v for (aid, v) in batch.agreements if aid == record.agreement_id and v > record.version
        ]
        latest = self._agreements.latest(record.agreement_id)
        if later or (latest is not None and latest > record.version):
            raise ValidationError(
                f"version {record.version} is older than the latest loaded version",
                field="payload.version",
            )
        batch.agreements[key] = agreement

    def _require_blob(self, sha256: str, size: int, batch: _Batch, field: str) -> None:
        data = batch.blobs.get(sha256)
        if data is not None:
            batch.used_blobs[sha256] = data
        else:
            data = self._store.get_blob(sha256)
        if data is None:
            raise ValidationError(f"no blob {sha256} in the batch or the store", field=field)
        if len(data) != size:
            raise ValidationError(
                f"blob {sha256[:12]} is {len(data)} bytes, not {size}", field="payload.size"
            )

    def _require_party(self, signer: KeyState, party: str, field: str) -> None:
        if signer.party != party:
            raise AuthError(
                f"a key of party {signer.party} cannot file on behalf of party {party}",
                keyid=signer.keyid,
            )

    def _require_term(self, term_id: str, version: int, field: str) -> None:
        for agreement_id in self._agreements.ids():
            agreement = self._agreements.get(agreement_id, version)
            if agreement is None:
                continue
            try:
                agreement.term(term_id)
            except NotFound:
                continue
            return
        raise ValidationError(
            f"no term {term_id!r} in agreement version {version}", field=f"{field}.id"
        )

    def _require_record(self, ref: str, kinds: set[str] | None, batch: _Batch, field: str) -> str:
        """Check a cited record exists (and has one of ``kinds``); return its author."""
        if ref in batch.records:
            kind = batch.records[ref].new.kind
            author = batch.records[ref].signer.principal
        else:
            try:
                stored = self._store.get(ref)
            except NotFound:
                raise ValidationError(f"no record {ref}", field=f"payload.{field}") from None
            kind = stored.kind
            key = self._lookup_key(stored.keyid, batch)
            author = key.principal if key else ""
        if kinds is not None and kind not in kinds:
            raise ValidationError(
                f"record {ref[:12]} is a {kind}, expected {' or '.join(sorted(kinds))}",
                field=f"payload.{field}",
            )
        return author
