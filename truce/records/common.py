"""Shared value types of records: times, identifiers, text, locations, time specs.

Every datetime in a record is a :data:`UtcDatetime`: the input must carry a UTC
offset (naive times are rejected), it is normalised to UTC on validation, and
it serialises as ``2025-03-20T04:15:00Z`` (seconds always, microseconds only
when non-zero). Times must lie in [1900-01-01, 3000-01-01) UTC.

Locations are a point with an uncertainty radius, or an observer position plus
a 16-point compass direction and a distance band (:class:`BearingLocation`),
which :meth:`BearingLocation.estimate` turns into a point.
"""

from __future__ import annotations

import calendar
import math
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Self, TypeAlias, get_args

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, model_validator
from pydantic import StringConstraints as Str
from pydantic_core import PydanticCustomError
from pyproj import Geod

from truce.errors import ValidationError
from truce.records._model import NOT_BLANK, Problem, StrictModel, raise_problems
from truce.records.vocabulary import COMPASS_POINTS, CompassPoint, DistanceBand

__all__ = [
    "MAX_TIME",
    "MAX_UNCERTAINTY_M",
    "MIN_TIME",
    "PRECISIONS",
    "BearingLocation",
    "Ident",
    "KeyId",
    "Label",
    "Location",
    "LongText",
    "MissionId",
    "Name",
    "Note",
    "Party",
    "PointLocation",
    "Precision",
    "Pseudonym",
    "RecordRef",
    "Sha256",
    "TermId",
    "TermRef",
    "Text",
    "TimeInterval",
    "TimeSpec",
    "UtcDatetime",
    "format_utc",
]

# -- times -------------------------------------------------------------------

#: Earliest and (exclusive) latest time a record may carry.
MIN_TIME = datetime(1900, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(3000, 1, 1, tzinfo=UTC)


def _to_utc(value: datetime) -> datetime:
    utc = value.astimezone(UTC)
    if not MIN_TIME.year <= utc.year < MAX_TIME.year:
        raise PydanticCustomError("time_range", "must be between 1900-01-01 and 2999-12-31 (UTC)")
    return utc


def format_utc(value: datetime) -> str:
    """``value`` in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (microseconds only if non-zero).

    Raises :class:`~truce.errors.ValidationError` for a naive datetime.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("a datetime must carry a UTC offset")
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"


#: A datetime with a UTC offset, normalised to UTC, serialised with a ``Z`` suffix.
UtcDatetime: TypeAlias = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]

# -- identifiers and text ----------------------------------------------------

#: The mission a record is for (binds the signature to one mission).
MissionId: TypeAlias = Annotated[str, Str(pattern=r"^[a-z0-9][a-z0-9.-]{1,62}$")]
#: An identifier: 1..128 characters.
Ident: TypeAlias = Annotated[str, Str(min_length=1, max_length=128), NOT_BLANK]
#: A name: 1..200 characters.
Name: TypeAlias = Annotated[str, Str(min_length=1, max_length=200), NOT_BLANK]
#: A short label (team, camera, flight): 1..64 characters.
Label: TypeAlias = Annotated[str, Str(min_length=1, max_length=64), NOT_BLANK]
#: Free text, at most 10000 characters, not blank.
Text: TypeAlias = Annotated[str, Str(max_length=10_000), NOT_BLANK]
#: A note, at most 4000 characters, not blank.
Note: TypeAlias = Annotated[str, Str(max_length=4_000), NOT_BLANK]
#: Long free text (a verbatim statement, a letter), at most 20000 characters, not blank.
LongText: TypeAlias = Annotated[str, Str(max_length=20_000), NOT_BLANK]
#: A person's pseudonym, never a real name.
Pseudonym: TypeAlias = Annotated[str, Str(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
#: A SHA-256 digest: 64 lowercase hex characters.
Sha256: TypeAlias = Annotated[str, Str(pattern=r"^[0-9a-f]{64}$")]
#: A record id: the SHA-256 of the signed payload bytes, 64 lowercase hex characters.
RecordRef: TypeAlias = Annotated[str, Str(pattern=r"^[0-9a-f]{64}$")]
#: A party to the agreement, e.g. ``A``, ``B``, ``UA``.
Party: TypeAlias = Annotated[str, Str(pattern=r"^[A-Z][A-Z0-9_-]{0,15}$")]
#: A term id of an agreement, e.g. ``ceasefire.general``.
TermId: TypeAlias = Annotated[
    str, Str(max_length=128, pattern=r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")
]
#: A key id: the first 128 bits of SHA-256 of the public key, in lowercase hex.
KeyId: TypeAlias = Annotated[str, Str(pattern=r"^[0-9a-f]{32}$")]


class TermRef(StrictModel):
    """A term of one agreement version."""

    id: TermId
    agreement_version: int = Field(ge=1, le=1_000_000)


# -- locations ---------------------------------------------------------------

#: The largest uncertainty radius a location may carry (500 km).
MAX_UNCERTAINTY_M = 500_000.0

_GEOD = Geod(ellps="WGS84")
#: Distance band -> (near, far) edge in km; ">20km" is taken as 20-40 km.
_BAND_KM: dict[str, tuple[float, float]] = {
    "0-1km": (0.0, 1.0),
    "1-3km": (1.0, 3.0),
    "3-5km": (3.0, 5.0),
    "5-10km": (5.0, 10.0),
    "10-20km": (10.0, 20.0),
    ">20km": (20.0, 40.0),
}
#: Half the width of one compass sector (360 / 16 / 2 degrees).
_HALF_SECTOR_DEG = 11.25


class PointLocation(StrictModel):
    """A WGS84 point with an uncertainty radius in metres."""

    kind: Literal["point"] = "point"
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    uncertainty_m: float = Field(default=0.0, ge=0, le=MAX_UNCERTAINTY_M)


class BearingLocation(StrictModel):
    """Where an observer was, and the direction and distance band of what they saw."""

    kind: Literal["bearing"] = "bearing"
    observer: PointLocation
    direction: CompassPoint
    distance_band: DistanceBand

    def estimate(self) -> PointLocation:
        """The point at the band's middle distance along the direction, with its uncertainty.

        Guarantees: the point is the WGS84 geodesic forward from the observer by
        the compass bearing (``22.5°`` per point, clockwise from north) and the
        band midpoint (``>20km`` counts as 20-40 km). The uncertainty is half the
        band width + the observer's uncertainty + the lateral error of ±11.25°
        at the band's far edge (``far · sin 11.25°``), capped at
        :data:`MAX_UNCERTAINTY_M`. Deterministic; never reads the clock.
        """
        near_km, far_km = _BAND_KM[self.distance_band]
        azimuth = COMPASS_POINTS.index(self.direction) * 22.5
        distance_m = (near_km + far_km) / 2 * 1000
        lon, lat, _ = _GEOD.fwd(self.observer.lon, self.observer.lat, azimuth, distance_m)
        lateral_m = far_km * 1000 * math.sin(math.radians(_HALF_SECTOR_DEG))
        uncertainty = (far_km - near_km) / 2 * 1000 + self.observer.uncertainty_m + lateral_m
        return PointLocation(
            lon=_wrap_lon(float(lon)),
            lat=min(90.0, max(-90.0, float(lat))),
            uncertainty_m=min(uncertainty, MAX_UNCERTAINTY_M),
        )


def _wrap_lon(lon: float) -> float:
    if -180.0 <= lon <= 180.0:
        return lon
    return (lon + 180.0) % 360.0 - 180.0


#: A point, or a bearing from an observer; the JSON key ``kind`` tells which.
Location: TypeAlias = Annotated[PointLocation | BearingLocation, Field(discriminator="kind")]

# -- time specs --------------------------------------------------------------

Precision = Literal["second", "minute", "hour", "day", "week", "month"]
#: Time precisions, finest first.
PRECISIONS: tuple[str, ...] = get_args(Precision)
_FIXED_LENGTH = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}


def _add_month(value: datetime) -> datetime:
    year, month = (value.year + 1, 1) if value.month == 12 else (value.year, value.month + 1)
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def _default_precision(data: dict[str, Any]) -> Precision | None:
    return "minute" if data.get("at") is not None else None


class TimeSpec(StrictModel):
    """When: ``{"at", "precision"}`` (precision defaults to ``minute``) or ``{"start", "end"}``.

    Exactly one form is allowed; in the interval form ``end`` is after ``start``.
    """

    at: UtcDatetime | None = None
    precision: Precision | None = Field(default_factory=_default_precision)
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        problems: list[Problem] = []
        if self.at is not None:
            if self.precision is None:
                problems.append((("precision",), "must be one of " + ", ".join(PRECISIONS)))
            problems.extend(
                ((name,), "not allowed together with 'at'")
                for name in ("start", "end")
                if getattr(self, name) is not None
            )
        else:
            if self.precision is not None:
                problems.append((("precision",), "only allowed together with 'at'"))
            if self.start is None and self.end is None:
                problems.append(((), "give either 'at' (and 'precision') or 'start' and 'end'"))
            elif self.start is None:
                problems.append((("start",), "required together with 'end'"))
            elif self.end is None:
                problems.append((("end",), "required together with 'start'"))
            elif self.end <= self.start:
                problems.append((("end",), "must be after start"))
        raise_problems("TimeSpec", problems)
        return self

    def interval(self) -> tuple[datetime, datetime]:
        """The half-open UTC interval ``[start, end)`` this time spec covers.

        Guarantees: for the ``at`` form it is ``[at, at + one precision unit)``
        — the interval starts at ``at`` exactly as given (no flooring to the
        day, week or month); a month is one calendar month (same day next
        month, clamped to its last day). For the interval form it is
        ``[start, end)``. ``start < end`` always.
        """
        if self.at is not None:
            precision = self.precision or "minute"
            if precision == "month":
                return self.at, _add_month(self.at)
            return self.at, self.at + _FIXED_LENGTH[precision]
        if self.start is None or self.end is None:
            raise ValidationError("time has neither 'at' nor 'start' and 'end'", field="time")
        return self.start, self.end


class TimeInterval(StrictModel):
    """A half-open interval ``[start, end)``; ``end`` is after ``start``."""

    start: UtcDatetime
    end: UtcDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise_problems("TimeInterval", [(("end",), "must be after start")])
        return self
