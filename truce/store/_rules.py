"""The engine-independent rules of the store contract, shared by every driver.

Drivers do the storage; what counts as a valid batch, a valid key change or a
valid scan filter is decided here once, so two drivers cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from truce.blobs import check_blobs
from truce.errors import Conflict, ValidationError
from truce.store.contract import KEY_STATUSES, KeyState, NewRecord, check_keyid, normalise_time

__all__ = [
    "Batch",
    "ScanFilter",
    "check_batch",
    "check_index",
    "check_key_updates",
    "check_meta",
    "check_range",
    "scan_filter",
]

_STATUS_RANK = {status: rank for rank, status in enumerate(KEY_STATUSES)}


def check_index(value: object, field: str) -> int:
    """``value`` if it is an int >= 0 (not a bool), else ValidationError naming ``field``."""
    if type(value) is not int or value < 0:
        raise ValidationError(f"must be an integer >= 0, got {value!r:.40}", field=field)
    return value


def _optional_index(value: object, field: str) -> int | None:
    return None if value is None else check_index(value, field)


def _string_set(values: Collection[str], field: str) -> list[str]:
    if isinstance(values, str | bytes):
        raise ValidationError("must be a collection of strings, not a single string", field=field)
    out = set(values)
    for value in out:
        if not isinstance(value, str):
            raise ValidationError(f"must hold strings, got {value!r:.40}", field=field)
    return sorted(out)


@dataclass(frozen=True, slots=True)
class Batch:
    """A checked append request: records, key updates and the key ids that must be active."""

    records: list[NewRecord]
    key_updates: list[KeyState]
    require_active: list[str]
    #: ``(sha256, data)`` pairs, sorted by hash, each checked to hash to its key.
    blobs: list[tuple[str, bytes]]


def check_batch(
    records: Sequence[NewRecord],
    key_updates: Sequence[KeyState],
    require_active: Collection[str],
    blobs: Mapping[str, bytes] | None = None,
) -> Batch:
    """Check an append request before any storage work.

    Guarantees on return: every item has the right type, ``require_active``
    holds key ids, no record id repeats (else Conflict with both
    ``batch_index``), key updates and blobs come with records (else
    ValidationError) and every blob hashes to its key.
    """
    batch = list(records)
    updates = list(key_updates)
    required = _string_set(require_active, "require_active")
    checked_blobs = check_blobs(blobs or {})
    for i, rec in enumerate(batch):
        if type(rec) is not NewRecord:
            raise ValidationError(
                f"expected a NewRecord, got {type(rec).__name__}", field=f"records[{i}]"
            )
    for i, update in enumerate(updates):
        if type(update) is not KeyState:
            raise ValidationError(
                f"expected a KeyState, got {type(update).__name__}", field=f"key_updates[{i}]"
            )
    for keyid in required:
        check_keyid(keyid, "require_active")
    if not batch and updates:
        raise ValidationError(
            "key changes are always records: key_updates need records in the batch",
            field="key_updates",
        )
    if not batch and checked_blobs:
        raise ValidationError(
            "a blob is stored with the record that references it: blobs need records",
            field="blobs",
        )
    seen: dict[str, int] = {}
    for i, rec in enumerate(batch):
        first = seen.setdefault(rec.record_id, i)
        if first != i:
            raise Conflict(
                f"record {rec.record_id} appears twice in the batch",
                existing={"record_id": rec.record_id, "batch_index": [first, i]},
            )
    return Batch(batch, updates, required, checked_blobs)


def _check_batch_seq(value: int, first: int, stop: int, field: str) -> None:
    if value < first:
        raise Conflict(
            f"{field} is {value}, before this batch (seqs {first}..{stop - 1}): "
            "the log moved since size() was read",
            existing={"size": first},
            hint="re-read size() and retry",
        )
    if value >= stop:
        raise ValidationError(
            f"{value} is not a seq of this batch ({first}..{stop - 1})", field=field
        )


def check_key_updates(
    updates: Sequence[KeyState], current: Mapping[str, KeyState], first: int, stop: int
) -> None:
    """Check key updates, in order, against the stored ``current`` states of their keys.

    The batch being appended has seqs ``[first, stop)``. Guarantees on
    return: each ``changed_seq`` is a seq of the batch and never goes back; a
    new key is enrolled in the batch; a known key keeps its ``enrolled_seq``
    and public key; statuses only move active -> retired -> revoked. A seq
    before the batch or a status moving back raises Conflict; anything else
    ValidationError.
    """
    state = dict(current)
    for i, new in enumerate(updates):
        field = f"key_updates[{i}]"
        _check_batch_seq(new.changed_seq, first, stop, f"{field}.changed_seq")
        old = state.get(new.keyid)
        if old is None:
            _check_batch_seq(new.enrolled_seq, first, stop, f"{field}.enrolled_seq")
        else:
            if new.enrolled_seq != old.enrolled_seq:
                raise ValidationError(
                    f"key {new.keyid} was enrolled at seq {old.enrolled_seq}",
                    field=f"{field}.enrolled_seq",
                )
            if new.public_key != old.public_key:
                raise ValidationError(
                    f"key {new.keyid} has another public key; a key's public key never changes",
                    field=f"{field}.public_key",
                )
            if new.changed_seq < old.changed_seq:
                raise ValidationError(
                    f"key {new.keyid} last changed at seq {old.changed_seq}",
                    field=f"{field}.changed_seq",
                )
            if _STATUS_RANK[new.status] < _STATUS_RANK[old.status]:
                raise Conflict(
                    f"key {new.keyid} is {old.status}; it cannot become {new.status}",
                    existing={"keyid": new.keyid, "status": old.status},
                )
        state[new.keyid] = new


@dataclass(frozen=True, slots=True)
class ScanFilter:
    """Validated, normalised arguments of :meth:`Store.scan`.

    ``kinds`` is sorted and de-duplicated (None: any kind); times are in the
    one-second normal form.
    """

    kinds: list[str] | None
    since_seq: int
    until_seq: int | None
    subject: str | None
    keyid: str | None
    event_from: str | None
    event_to: str | None
    limit: int | None
    descending: bool

    @property
    def empty(self) -> bool:
        """True if the filter can match nothing whatever is stored."""
        return (self.kinds is not None and not self.kinds) or self.limit == 0


def scan_filter(
    *,
    kinds: Collection[str] | None,
    since_seq: int,
    until_seq: int | None,
    subject: str | None,
    keyid: str | None,
    event_from: str | None,
    event_to: str | None,
    limit: int | None,
    descending: bool,
) -> ScanFilter:
    """Validate scan arguments (ValidationError naming the argument) and normalise them."""
    for name, value in (("subject", subject), ("keyid", keyid)):
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"must be a string, got {value!r:.40}", field=name)
    if type(descending) is not bool:
        raise ValidationError("must be true or false", field="descending")
    return ScanFilter(
        kinds=None if kinds is None else _string_set(kinds, "kinds"),
        since_seq=check_index(since_seq, "since_seq"),
        until_seq=_optional_index(until_seq, "until_seq"),
        subject=subject,
        keyid=keyid,
        event_from=None if event_from is None else normalise_time(event_from, "event_from"),
        event_to=None if event_to is None else normalise_time(event_to, "event_to"),
        limit=_optional_index(limit, "limit"),
        descending=descending,
    )


def check_range(start: object, stop: object, size: int) -> tuple[int, int]:
    """``(start, stop)`` if ``0 <= start <= stop <= size``, else ValidationError."""
    start = check_index(start, "start")
    stop = check_index(stop, "stop")
    if start > stop:
        raise ValidationError(f"start {start} is after stop {stop}", field="start")
    if stop > size:
        raise ValidationError(f"stop {stop} is beyond the log size {size}", field="stop")
    return start, stop


def check_meta(name: object, value: object = "") -> None:
    """Raise ValidationError unless ``name`` is a meta name and ``value`` a string."""
    if not isinstance(name, str) or not name or len(name) > 200:
        raise ValidationError(
            f"a meta name is a non-empty string of at most 200 characters, got {name!r:.40}",
            field="name",
        )
    if not isinstance(value, str):
        raise ValidationError(f"a meta value is a string, got {value!r:.40}", field="value")
