"""Time sanity for intake: which times of a record must not lie in the future.

Validation never reads the clock (it must be deterministic: the same bytes
always parse to the same record). Intake instead asks :func:`future_times`
with its own ``now`` and tolerated clock ``skew``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from truce.errors import FieldError, ValidationError
from truce.records.allegation import Allegation
from truce.records.common import TimeSpec, format_utc
from truce.records.coverage import Coverage
from truce.records.evidence import Evidence
from truce.records.header import RecordHeader
from truce.records.observation import Observation

__all__ = ["DEFAULT_SKEW", "check_not_future", "future_times", "times_to_check"]

#: Default tolerated clock difference between a device and the server.
DEFAULT_SKEW = timedelta(minutes=5)


def _aware(value: datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("must carry a UTC offset", field=field)


def _timespec(path: str, spec: TimeSpec) -> list[tuple[str, datetime]]:
    if spec.at is not None:
        return [(f"{path}.at", spec.at)]
    return [
        (f"{path}.{name}", value)
        for name, value in (("start", spec.start), ("end", spec.end))
        if value is not None
    ]


def times_to_check(record: RecordHeader) -> list[tuple[str, datetime]]:
    """(field path, UTC datetime) pairs of ``record`` that must not be in the future.

    Guarantees: always includes ``signed_at``; adds the event times — an
    observation's or claim's ``time`` (``at``, or ``start`` and ``end``), a
    coverage record's last track point and last interval end (track times and
    intervals are validated in order, so the last bounds the others) and its
    ``time``, an evidence record's ``captured_at``.
    """
    out: list[tuple[str, datetime]] = [("signed_at", record.signed_at)]
    if isinstance(record, Observation):
        out += _timespec("time", record.time)
    elif isinstance(record, Allegation):
        out += _timespec("claim.time", record.claim.time)
    elif isinstance(record, Coverage):
        if record.track:
            last = len(record.track) - 1
            out.append((f"track[{last}].t", record.track[last].t))
        if record.intervals:
            last = len(record.intervals) - 1
            out.append((f"intervals[{last}].end", record.intervals[last].end))
        if record.time is not None:
            out += _timespec("time", record.time)
    elif isinstance(record, Evidence):
        out.append(("captured_at", record.captured_at))
    return out


def check_not_future(
    dt: datetime, now: datetime, skew: timedelta = DEFAULT_SKEW, *, field: str = ""
) -> None:
    """Raise :class:`~truce.errors.ValidationError` at ``field`` if ``dt > now + skew``.

    Both datetimes must be timezone-aware (a naive one is a ValidationError too).
    """
    _aware(now, "now")
    _aware(dt, field)
    if dt > now + skew:
        raise ValidationError(_future_reason(dt, now, skew), field=field)


def _future_reason(dt: datetime, now: datetime, skew: timedelta) -> str:
    return (
        f"{format_utc(dt)} is in the future "
        f"(server time {format_utc(now)}, tolerated skew {int(skew.total_seconds())} s)"
    )


def future_times(
    record: RecordHeader, now: datetime, skew: timedelta = DEFAULT_SKEW
) -> list[FieldError]:
    """One :class:`~truce.errors.FieldError` per time of ``record`` later than ``now + skew``.

    Paths are relative to the record (``time.at``, ``claim.time.start``). An
    empty list means the record's times are sane. ``now`` must be aware.
    """
    _aware(now, "now")
    limit = now + skew
    return [
        FieldError(path, _future_reason(value, now, skew))
        for path, value in times_to_check(record)
        if value > limit
    ]
