"""Events: what the compliance engine evaluates, as columns of numpy arrays.

An *event* is what a record says happened, where and when: an observation's
event, or the event an allegation claims. The engine needs only a few fields
of each, so a batch of events is held as parallel arrays (one row per event) —
the vectorised evaluation never touches a Python object per event.

* ``lon``, ``lat`` (degrees, WGS84) and ``uncertainty_m`` (radius, metres): a
  bearing location is reduced to its estimated point and uncertainty
  (:meth:`truce.records.common.BearingLocation.estimate`);
* ``start``, ``end`` (POSIX seconds, half-open ``[start, end)``): the record's
  time spec as an interval (:meth:`truce.records.common.TimeSpec.interval`),
  so a time given to the hour covers that hour;
* ``category`` and ``weapon_class`` (``""`` when none), held as :class:`Codes`
  — integer codes into the column's distinct values, like a pandas
  ``Categorical`` — so a membership test is one table lookup per event;
* the record's ``record_id``, ``seq`` and ``kind``.

Example::

    events = Events.from_records(mission.store.scan(kinds=EVENT_KINDS))
    len(events), events.category.labels()[:3]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from truce.records import Record, parse_record
from truce.records.allegation import Allegation
from truce.records.common import BearingLocation, Location, TimeSpec
from truce.records.observation import Observation
from truce.store import StoredRecord

__all__ = ["EVENT_KINDS", "Codes", "Events"]

#: The record types that describe an event.
EVENT_KINDS: tuple[str, ...] = ("observation", "allegation")


@dataclass(frozen=True, eq=False)
class Codes:
    """A column of strings as codes: ``values[codes[i]]`` is row ``i``'s string.

    ``values`` are distinct when built by :meth:`of`; after :meth:`concat` a
    value may appear more than once (every method still holds).
    """

    codes: NDArray[np.int32]
    values: tuple[str, ...]

    @classmethod
    def of(cls, column: Iterable[str]) -> Codes:
        """Codes of a column of strings (values in order of first appearance)."""
        index: dict[str, int] = {}
        codes = [index.setdefault(v, len(index)) for v in column]
        return cls(np.asarray(codes, dtype=np.int32), tuple(index))

    @classmethod
    def constant(cls, value: str, n: int) -> Codes:
        """``n`` rows of one value."""
        return cls(np.zeros(n, dtype=np.int32), (value,))

    @classmethod
    def concat(cls, parts: Sequence[Codes]) -> Codes:
        """The rows of ``parts`` one after the other (values may then repeat)."""
        offsets = np.cumsum([0] + [len(p.values) for p in parts])
        codes = [p.codes + np.int32(o) for p, o in zip(parts, offsets.tolist(), strict=False)]
        values = tuple(v for p in parts for v in p.values)
        return cls(np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32), values)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index: NDArray[np.int64] | NDArray[np.bool_] | slice) -> Codes:
        return Codes(self.codes[index], self.values)

    def labels(self) -> NDArray[np.object_]:
        """The column as an object array of strings."""
        values = np.empty(len(self.values), dtype=object)
        values[:] = self.values
        out: NDArray[np.object_] = values[self.codes]
        return out

    def isin(self, wanted: Iterable[str]) -> NDArray[np.bool_]:
        """Whether each row's string is one of ``wanted``."""
        wanted = set(wanted)
        table = np.array([v in wanted for v in self.values], dtype=bool)
        out: NDArray[np.bool_] = table[self.codes]
        return out


@dataclass(frozen=True, eq=False)
class Events:
    """A batch of events as parallel arrays (see the module docstring)."""

    record_id: NDArray[np.object_]
    seq: NDArray[np.int64]
    kind: NDArray[np.object_]
    category: Codes
    weapon_class: Codes
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    start: NDArray[np.float64]
    end: NDArray[np.float64]

    def __post_init__(self) -> None:
        n = len(self.record_id)
        for name in self.__dataclass_fields__:
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"events column {name} has {len(getattr(self, name))} rows, not {n}"
                )

    def __len__(self) -> int:
        return len(self.record_id)

    def take(self, index: NDArray[np.int64] | NDArray[np.bool_]) -> Events:
        """The events selected by an index or a boolean mask, in that order."""
        return Events(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    @classmethod
    def empty(cls) -> Events:
        return cls.from_columns([], [], [], [], [], [], [], [], [], [])

    @classmethod
    def from_columns(
        cls,
        record_id: Sequence[str],
        seq: Sequence[int],
        kind: Sequence[str],
        category: Sequence[str],
        weapon_class: Sequence[str],
        lon: Sequence[float],
        lat: Sequence[float],
        uncertainty_m: Sequence[float],
        start: Sequence[float],
        end: Sequence[float],
    ) -> Events:
        """Events from plain sequences (one value per event in each)."""
        return cls(
            record_id=np.asarray(record_id, dtype=object),
            seq=np.asarray(seq, dtype=np.int64),
            kind=np.asarray(kind, dtype=object),
            category=Codes.of(category),
            weapon_class=Codes.of(weapon_class),
            lon=np.asarray(lon, dtype=np.float64),
            lat=np.asarray(lat, dtype=np.float64),
            uncertainty_m=np.asarray(uncertainty_m, dtype=np.float64),
            start=np.asarray(start, dtype=np.float64),
            end=np.asarray(end, dtype=np.float64),
        )

    @classmethod
    def from_records(cls, records: Iterable[StoredRecord]) -> Events:
        """The events of stored observations and allegations (other kinds are skipped)."""
        return cls.from_parsed(
            (stored.record_id, stored.seq, parse_record(stored.payload))
            for stored in records
            if stored.kind in EVENT_KINDS
        )

    @classmethod
    def from_parsed(cls, records: Iterable[tuple[str, int, Record]]) -> Events:
        """The events of already parsed ``(record_id, seq, record)`` observations and
        allegations (other record types are skipped)."""
        rows: list[tuple[str, int, str, str, str, float, float, float, float, float]] = []
        for record_id, seq, record in records:
            if isinstance(record, Observation):
                category, location, time = record.category, record.location, record.time
                weapon = record.weapon.weapon_class if record.weapon is not None else ""
            elif isinstance(record, Allegation):
                claim = record.claim
                category, location, time, weapon = claim.category, claim.location, claim.time, ""
            else:
                continue
            lon, lat, unc = _point(location)
            start, end = _interval(time)
            rows.append((record_id, seq, record.type, category, weapon, lon, lat, unc, start, end))
        if not rows:
            return cls.empty()
        columns = list(zip(*rows, strict=True))
        return cls.from_columns(*columns)


def _point(location: Location) -> tuple[float, float, float]:
    point = location.estimate() if isinstance(location, BearingLocation) else location
    return point.lon, point.lat, point.uncertainty_m


def _interval(time: TimeSpec) -> tuple[float, float]:
    start, end = time.interval()
    return start.timestamp(), end.timestamp()
