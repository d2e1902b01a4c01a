"""The storage contract: what every Truce store driver MUST do, method by method.

A store keeps the mission's **log**: an append-only sequence of records, each
with its log entry, numbered by ``seq`` from 0 without gaps. It does not know
record schemas: a record is bytes (``payload``, ``entry``) plus a few index
columns (``kind``, ``keyid``, times, ``subject``, ``synthetic``) that the
caller computes. Next to the log it keeps the **key table** (the current state
of every enrolled key, derived from key records and changed only together with
them) and **meta** settings (e.g. the mission id).

Drivers are native (one per engine, each doing the right thing for it) and are
tested by one conformance suite (``tests/store/conformance.py``). The key
words MUST, MUST NOT, SHOULD and MAY are to be read as in RFC 2119.

Times are ISO-8601 UTC strings with one-second precision,
``"2025-03-20T04:15:00Z"``: fixed width, so string order is time order, which
the time filters rely on. :class:`NewRecord` accepts ``+00:00`` for ``Z`` and
fractional seconds, and normalises both away (fractions are truncated, so a
half-open filter ``[event_from, event_to)`` keeps its meaning at second
precision); the exact time stays in the signed payload.

Example::

    >>> import hashlib
    >>> payload = b'{"type":"observation"}'
    >>> rec = NewRecord(
    ...     record_id=hashlib.sha256(payload).hexdigest(), kind="observation",
    ...     keyid="0" * 32, payload=payload, entry=b'{"payload":"..."}',
    ...     signed_at="2025-03-20T04:15:00Z", event_time="2025-03-20T04:10:00.250Z",
    ...     subject=None, synthetic=True)
    >>> rec.event_time
    '2025-03-20T04:10:00Z'
    >>> parse_ref("#12")
    RecordRef(seq=12, prefix=None)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol, Self, runtime_checkable

from truce.errors import ValidationError

__all__ = [
    "ASSESSMENT_STATUSES",
    "KEY_STATUSES",
    "MIN_PREFIX",
    "Assessment",
    "KeyState",
    "KeyStatus",
    "NewRecord",
    "RecordRef",
    "Store",
    "StoredRecord",
    "check_keyid",
    "check_record_id",
    "normalise_time",
    "parse_ref",
]

KeyStatus = Literal["active", "revoked", "retired"]
#: Key statuses in the only order a key may move through them (never backwards).
KEY_STATUSES: tuple[KeyStatus, ...] = ("active", "retired", "revoked")
#: Shortest record-id prefix :meth:`Store.resolve` accepts.
MIN_PREFIX = 6

_RECORD_ID = re.compile(r"[0-9a-f]{64}")
_KEYID = re.compile(r"[0-9a-f]{32}")
_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_TIME = re.compile(
    r"(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60))"
    r"(?:\.\d{1,9})?(?:Z|\+00:00)"
)
_HEX_REF = re.compile(r"[0-9a-f]{6,64}")
_MAX_TEXT = 1024


def check_record_id(value: object, field: str = "record_id") -> str:
    """Return ``value`` if it is a record id (64 lowercase hex), else raise ValidationError."""
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        raise ValidationError(
            f"a record id is 64 lowercase hex characters (SHA-256), got {value!r:.80}",
            field=field,
        )
    return value


def check_keyid(value: object, field: str = "keyid") -> str:
    """Return ``value`` if it is a key id (32 lowercase hex), else raise ValidationError."""
    if not isinstance(value, str) or not _KEYID.fullmatch(value):
        raise ValidationError(
            f"a key id is 32 lowercase hex characters, got {value!r:.80}", field=field
        )
    return value


def normalise_time(value: object, field: str) -> str:
    """The one-second UTC form ``YYYY-MM-DDTHH:MM:SSZ`` of an ISO-8601 UTC time.

    Accepts a trailing ``Z`` or ``+00:00`` and up to 9 fractional digits, which
    are truncated (floor). Anything else (another offset, a date alone, a
    non-string) raises ValidationError naming ``field``.
    """
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        if len(match.string) == 20 and match.string[-1] == "Z":
            return match.string  # already normal: keep the very same object
        return match.group(1) + "Z"
    raise ValidationError(
        f"expected an ISO-8601 UTC time like '2025-03-20T04:15:00Z', got {value!r:.80}",
        field=field,
    )


def _check_text(value: object, field: str, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value:
        raise ValidationError("must be a non-empty string", field=field)
    if len(value) > _MAX_TEXT:
        raise ValidationError(f"longer than {_MAX_TEXT} characters", field=field)


def _check_seq(value: object, field: str) -> None:
    if type(value) is not int or value < 0:
        raise ValidationError(f"a seq is an integer >= 0, got {value!r}", field=field)


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A record to append: its bytes and the index columns the store keeps for it.

    Construction validates every field (ValidationError naming it): the id is
    the SHA-256 of ``payload``; ``keyid`` is 32 lowercase hex; ``kind`` is a
    short lowercase word; times are normalised to ``YYYY-MM-DDTHH:MM:SSZ``.
    """

    record_id: str  #: 64 lowercase hex: SHA-256 of payload
    kind: str  #: "observation", "key", "agreement", ...
    keyid: str  #: signer's key id (32 lowercase hex)
    payload: bytes  #: the signed payload (canonical JSON bytes)
    entry: bytes  #: the log entry: canonical JSON bytes of the whole signed envelope
    signed_at: str  #: ISO-8601 UTC "2025-03-20T04:15:00Z"
    event_time: str | None  #: ISO-8601 UTC, for time filters
    subject: str | None  #: kind-specific index key (a keyid, "agreement-id@3", a record id)
    synthetic: bool  #: generated data (demos, tests), labelled as such wherever shown
    #: The record's sealed values, kept apart from the log: ``(path, value as
    #: canonical JSON, base64 salt)`` (see :mod:`truce.records.commitments`).
    reveals: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        check_record_id(self.record_id)
        if type(self.payload) is not bytes or not self.payload:
            raise ValidationError("payload must be non-empty bytes", field="payload")
        if type(self.entry) is not bytes or not self.entry:
            raise ValidationError("entry must be non-empty bytes", field="entry")
        if hashlib.sha256(self.payload).hexdigest() != self.record_id:
            raise ValidationError("record_id is not the SHA-256 of the payload", field="record_id")
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise ValidationError(
                f"kind must be a lowercase word (a-z, 0-9, '_.-'; <= 64 chars), got {self.kind!r}",
                field="kind",
            )
        check_keyid(self.keyid)
        signed_at = normalise_time(self.signed_at, "signed_at")
        if signed_at is not self.signed_at:
            object.__setattr__(self, "signed_at", signed_at)
        if self.event_time is not None:
            event_time = normalise_time(self.event_time, "event_time")
            if event_time is not self.event_time:
                object.__setattr__(self, "event_time", event_time)
        _check_text(self.subject, "subject", optional=True)
        if type(self.synthetic) is not bool:
            raise ValidationError("synthetic must be true or false", field="synthetic")
        paths = set()
        for i, item in enumerate(self.reveals):
            if not (
                isinstance(item, tuple)
                and len(item) == 3
                and all(isinstance(x, str) and x for x in item)
                and len(item[0]) <= 64
            ):
                raise ValidationError(
                    "must be (path, value JSON, salt) texts", field=f"reveals[{i}]"
                )
            if item[0] in paths:
                raise ValidationError(f"path {item[0]!r} repeats", field=f"reveals[{i}]")
            paths.add(item[0])


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as the store holds it: its :class:`NewRecord` fields plus its place in the log.

    Built by drivers from their own rows (not re-validated).
    """

    seq: int  #: 0-based log index; gap-free, strictly increasing in append order
    accepted_at: str  #: ISO-8601 UTC, when the store committed it (not guaranteed monotonic)
    record_id: str
    kind: str
    keyid: str
    payload: bytes
    entry: bytes
    signed_at: str
    event_time: str | None
    subject: str | None
    synthetic: bool


#: The statuses an assessment may have (ordered: no_breach < possible_breach < breach).
ASSESSMENT_STATUSES = ("no_breach", "possible_breach", "breach")


@dataclass(frozen=True, slots=True)
class Assessment:
    """A compliance ruling on one event against one term (and site list).

    Derived data (see :mod:`truce.compliance`): ``explanation`` is its JSON
    text (distances, limits, uncertainty, the feature, time offsets);
    ``list_id`` is ``""`` for a term without site lists; ``event_day`` is the
    event's local date (``YYYY-MM-DD``, in the agreement's time zone) and
    ``region`` the zone feature it lies in (``""`` if none).
    """

    record_id: str
    seq: int
    agreement_id: str
    version: int
    term_id: str
    list_id: str
    status: str
    event_day: str
    region: str
    explanation: str

    def __post_init__(self) -> None:
        check_record_id(self.record_id)
        _check_seq(self.seq, "seq")
        if self.status not in ASSESSMENT_STATUSES:
            raise ValidationError(
                f"must be one of {', '.join(ASSESSMENT_STATUSES)}", field="status"
            )
        for name in ("agreement_id", "term_id", "event_day", "explanation"):
            _check_text(getattr(self, name), name, optional=False)


@dataclass(frozen=True, slots=True)
class KeyState:
    """The current state of one enrolled key, as the key table holds it.

    ``retired`` means replaced by rotation. ``enrolled_seq`` is the seq of the
    record that enrolled the key, ``changed_seq`` of the last record that
    changed it. Construction validates every field (ValidationError).
    """

    keyid: str
    public_key: bytes
    role: str
    principal: str
    party: str | None
    status: KeyStatus
    enrolled_seq: int
    changed_seq: int

    def __post_init__(self) -> None:
        check_keyid(self.keyid)
        if type(self.public_key) is not bytes or len(self.public_key) != 32:
            raise ValidationError("an Ed25519 public key is 32 bytes", field="public_key")
        _check_text(self.role, "role", optional=False)
        _check_text(self.principal, "principal", optional=False)
        _check_text(self.party, "party", optional=True)
        if self.status not in KEY_STATUSES:
            raise ValidationError(
                f"status must be one of {', '.join(KEY_STATUSES)}, got {self.status!r}",
                field="status",
            )
        _check_seq(self.enrolled_seq, "enrolled_seq")
        _check_seq(self.changed_seq, "changed_seq")
        if self.changed_seq < self.enrolled_seq:
            raise ValidationError("changed_seq is before enrolled_seq", field="changed_seq")


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A parsed reference: a seq, a lowercase id prefix (possibly the full id), or both.

    Both are set for an all-digit reference of 6+ characters, which may be
    either; :meth:`Store.resolve` then treats it as ambiguous if both match.
    """

    seq: int | None
    prefix: str | None


def parse_ref(ref: object) -> RecordRef:
    """Parse a reference as :meth:`Store.resolve` accepts it.

    ``#N`` is always seq N; plain digits shorter than :data:`MIN_PREFIX` are a
    seq; 6 to 64 hex characters are an id prefix (case-insensitive; 64 is a
    full id), and also a seq if they are all digits (and fewer than 64). Anything else raises
    ValidationError(field="ref").
    """
    if not isinstance(ref, str):
        raise ValidationError(f"a record reference is a string, got {ref!r:.80}", field="ref")
    text = ref.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if digits.isascii() and digits.isdigit():
            return RecordRef(int(digits), None)
    elif text.isascii() and text.isdigit() and len(text) < MIN_PREFIX:
        return RecordRef(int(text), None)
    elif _HEX_REF.fullmatch(text):
        # All digits may also be a seq, unless it has a full id's length.
        return RecordRef(int(text) if text.isdigit() and len(text) < 64 else None, text)
    raise ValidationError(
        f"{ref!r:.80} is not a record reference: give a record id, "
        f"at least {MIN_PREFIX} of its first hex characters, or #seq",
        field="ref",
    )


@runtime_checkable
class Store(Protocol):
    """A Truce store. Every driver MUST meet each guarantee documented here.

    A store object is used from one thread; several processes MAY use the same
    store concurrently. No method changes anything when it raises.
    """

    @property
    def layout_version(self) -> int:
        """The layout (schema) version of the open store.

        After a successful open it MUST equal the newest layout the driver
        knows: older layouts are migrated on open, newer ones refused with
        StorageError.
        """
        ...

    def append(
        self,
        records: Sequence[NewRecord],
        *,
        key_updates: Sequence[KeyState] = (),
        require_active: Collection[str] = (),
        blobs: Mapping[str, bytes] | None = None,
    ) -> list[int]:
        """Append ``records`` to the log in one transaction; return their seqs.

        - MUST append all records atomically, in the given order, with
          consecutive seqs starting at the current :meth:`size`; no gap may
          ever appear in the log.
        - MUST be durable (committed and synced) before it returns: an
          acknowledged record survives a crash or ``kill -9``; an
          unacknowledged one is either fully present or absent.
        - MUST raise Conflict, storing nothing, if a record id is already
          stored or repeated in the batch; the message names the id and
          ``existing`` holds ``record_id`` and the ``seq`` it already has (or,
          for a repeat, the ``batch_index`` of both occurrences).
        - MUST raise AuthError(keyid=...), storing nothing, if a key id in
          ``require_active`` is not an active key. The check MUST run inside
          the write transaction, against the key table as committed before
          this batch's ``key_updates``, so that a revocation racing with a
          submission cannot slip through.
        - MUST apply ``key_updates`` (upserts by keyid, in order) in the same
          transaction. Key changes are always records: each update's
          ``changed_seq`` MUST be a seq of this batch, as MUST the
          ``enrolled_seq`` of a new key; an existing key keeps its
          ``enrolled_seq`` and public key, and its status only moves forward
          (active -> retired -> revoked). A seq before the batch raises
          Conflict (typically the log moved since the caller read
          :meth:`size`: re-read it and retry); a status moving backwards
          raises Conflict; any other violation raises ValidationError.
        - MUST store ``blobs`` (SHA-256 hex -> bytes, see :mod:`truce.blobs`)
          in the same transaction, each tagged with the seq of the batch's
          first record; a blob already stored is kept as it is (content
          addressing makes it the same bytes). Bytes that do not hash to
          their key MUST raise ValidationError naming ``blobs[HASH]``.
        - MUST store each record's ``reveals`` in the same transaction, apart
          from its entry (see :meth:`reveals`).
        - An empty ``records`` with non-empty ``key_updates`` or ``blobs`` MUST
          raise ValidationError; an empty batch with no updates is a no-op.
        - If the store stays busy (another writer) past its timeout it MUST
          raise Pushback.
        """
        ...

    def reveals(self, record_id: str) -> list[tuple[str, str, str]]:
        """The sealed values stored with record ``record_id``: ``(path, value JSON,
        base64 salt)`` sorted by path; empty if it seals nothing.

        MUST store them in the same transaction as the record (:meth:`append`)
        and MUST NOT make them part of an entry, :meth:`entries` or a blob.
        """
        ...

    def get_blob(self, sha256: str) -> bytes | None:
        """The stored blob with this SHA-256 (lowercase hex), or None.

        MUST return exactly the bytes stored (which hash to ``sha256``).
        """
        ...

    def blob_index(self, stop: int | None = None) -> list[tuple[str, int]]:
        """``(sha256, seq)`` of every blob stored with a record before seq ``stop``
        (all when None), in seq then hash order."""
        ...

    def replace_assessments(
        self, rows: Sequence[Assessment], *, since_seq: int, evaluated_to: int
    ) -> None:
        """Replace every assessment of records at seqs ``>= since_seq`` with ``rows``.

        In one transaction: delete the assessments of records from
        ``since_seq`` on, insert ``rows`` (each must be of such a record, else
        ValidationError, nothing changed) and set meta ``compliance_seq`` to
        ``evaluated_to`` (the log size the rows cover). ``since_seq=0``
        re-derives everything. Assessments are derived data, so, unlike the
        log, they are replaced rather than appended.
        """
        ...

    def assessments(
        self,
        *,
        term_id: str | None = None,
        status: str | None = None,
        list_id: str | None = None,
        record_id: str | None = None,
        limit: int | None = None,
    ) -> list[Assessment]:
        """Assessments matching every filter given, in log order (then term, list)."""
        ...

    def size(self) -> int:
        """The number of log entries, which is also the next seq."""
        ...

    def get(self, record_id: str) -> StoredRecord:
        """The record with this full id. NotFound if absent; ValidationError if malformed."""
        ...

    def get_seq(self, seq: int) -> StoredRecord:
        """The record at log index ``seq``. NotFound if ``seq >= size()``."""
        ...

    def resolve(self, ref: str) -> StoredRecord:
        """The one record a human reference names (see :func:`parse_ref`).

        MUST raise ValidationError(field="ref"), stating how many records
        match, if the reference is ambiguous, and NotFound if none matches.
        """
        ...

    def scan(
        self,
        *,
        kinds: Collection[str] | None = None,
        since_seq: int = 0,
        until_seq: int | None = None,
        subject: str | None = None,
        keyid: str | None = None,
        event_from: str | None = None,
        event_to: str | None = None,
        limit: int | None = None,
        descending: bool = False,
    ) -> Iterator[StoredRecord]:
        """Records matching every given filter, in seq order (reversed if ``descending``).

        Seqs are in ``[since_seq, until_seq)``; event times in
        ``[event_from, event_to)`` (records without an event time are left out
        when either is given); ``kinds`` is a set of kinds (empty: nothing);
        ``limit`` caps the count. Arguments MUST be validated when ``scan`` is
        called (ValidationError). The result MUST stream: rows are fetched in
        chunks, never all loaded at once. It MUST only yield records that were
        committed when ``scan`` was called, even if appends follow during
        iteration.
        """
        ...

    def entries(self, start: int, stop: int) -> list[bytes]:
        """The log entries for seqs ``[start, stop)``, in order.

        ValidationError unless ``0 <= start <= stop <= size()``.
        """
        ...

    def counts(self) -> dict[str, int]:
        """The number of stored records per kind (kinds with none are absent)."""
        ...

    def synthetic_count(self) -> int:
        """The number of stored records marked synthetic."""
        ...

    def key(self, keyid: str) -> KeyState:
        """The state of one key; NotFound if it was never enrolled."""
        ...

    def keys(self) -> list[KeyState]:
        """Every key, sorted by ``enrolled_seq`` (then keyid)."""
        ...

    def get_meta(self, name: str) -> str | None:
        """The value of a meta setting, or None if it was never set."""
        ...

    def set_meta(self, name: str, value: str, *, overwrite: bool = False) -> None:
        """Set a meta setting durably.

        MUST raise Conflict (``existing`` holds the current value) rather than
        change an existing, different value unless ``overwrite`` is true:
        settings that identify the mission must not silently change. Setting
        the value it already has is a no-op.
        """
        ...

    def tree_size(self) -> int:
        """The size of the latest checkpoint (0 before the first).

        Entries at seqs ``>= tree_size()`` are durable but not yet integrated.
        """
        ...

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored full-subtree hashes among ``keys`` ((level, idx) pairs).

        MUST return only nodes that exist (callers detect absence); SHOULD
        read them in as few queries as the engine allows.
        """
        ...

    def integrate(
        self,
        nodes: Sequence[tuple[int, int, bytes]],
        *,
        size: int,
        root: bytes,
        note: bytes,
        signed_at: str,
    ) -> None:
        """Store new full-subtree hashes and the checkpoint signed over them, atomically.

        MUST refuse (Conflict, storing nothing) a ``size`` not larger than the
        latest checkpoint's, a ``size`` larger than the log, or a node that
        already exists with a different hash: sizes only grow and nothing is
        rewritten, so the mission cannot sign two views of one history.
        """
        ...

    def checkpoint(self, size: int | None = None) -> tuple[int, bytes, bytes]:
        """``(size, root, note)`` of the latest checkpoint, or of the one at ``size``.

        NotFound if there is none.
        """
        ...

    def check(self) -> list[str]:
        """Problems found by a quick integrity check and a seq gap check; [] if none.

        SHOULD be fast enough to run after every crash (not a full scan of
        every page). MUST NOT raise for a damaged store: damage is reported.
        """
        ...

    def close(self) -> None:
        """Release the store. Idempotent; any other method then raises StorageError."""
        ...

    def __enter__(self) -> Self:
        """Context manager support: returns the store itself."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        ...
