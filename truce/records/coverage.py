"""``coverage``: where and when the mission could see, so a report can say
"none observed *where we could see*".

One record type with three kinds (``kind``), each with its own fields:

- ``patrol_track``: ``team``, ``track`` (2..5000 ``{lon, lat, t}`` points,
  times non-decreasing);
- ``camera_uptime``: ``camera``, ``location`` (a point), ``view_radius_m``
  (0 < r <= 50 km), ``intervals`` (1..1000, sorted, non-overlapping);
- ``denied_access``: ``team``, ``location``, ``time``, ``restriction``
  (denied | conditional | delayed), ``by`` (a party or ``unknown``, optional),
  ``reason``.

A field of another kind is rejected ("not allowed for kind ..."), a missing
one is reported at its path ("required for kind ...").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Literal, Self, TypeAlias, get_args

from pydantic import Field, StringConstraints, model_validator

from truce.records._model import Problem, StrictModel, raise_problems
from truce.records.common import (
    Ident,
    Label,
    Location,
    PointLocation,
    Text,
    TimeInterval,
    TimeSpec,
    UtcDatetime,
)
from truce.records.header import RecordHeader

__all__ = [
    "COVERAGE_FIELDS",
    "COVERAGE_KINDS",
    "Coverage",
    "CoverageKind",
    "RestrictionKind",
    "TrackPoint",
]

CoverageKind = Literal["patrol_track", "camera_uptime", "denied_access"]
#: The kinds of coverage record.
COVERAGE_KINDS: tuple[str, ...] = get_args(CoverageKind)
RestrictionKind = Literal["denied", "conditional", "delayed"]

#: kind -> (required fields, optional fields); any other kind-specific field is forbidden.
COVERAGE_FIELDS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "patrol_track": (("team", "track"), ()),
        "camera_uptime": (("camera", "location", "view_radius_m", "intervals"), ()),
        "denied_access": (("team", "location", "time", "restriction", "reason"), ("by",)),
    }
)
_KIND_FIELDS = (
    "team",
    "track",
    "camera",
    "location",
    "view_radius_m",
    "intervals",
    "time",
    "restriction",
    "by",
    "reason",
)

#: Who imposed a restriction: a party id or ``unknown``.
RestrictedBy: TypeAlias = Annotated[
    str, StringConstraints(pattern=r"^(?:[A-Z][A-Z0-9_-]{0,15}|unknown)$")
]


class TrackPoint(StrictModel):
    """One point of a patrol track: where the team was at time ``t``."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    t: UtcDatetime


class Coverage(RecordHeader):
    """Where and when the mission could (or could not) see (DESIGN §2)."""

    type: Literal["coverage"] = "coverage"
    kind: CoverageKind
    team: Label | None = None
    track: tuple[TrackPoint, ...] | None = Field(default=None, min_length=2, max_length=5000)
    camera: Ident | None = None
    location: Location | None = None
    view_radius_m: float | None = Field(default=None, gt=0, le=50_000)
    intervals: tuple[TimeInterval, ...] | None = Field(default=None, min_length=1, max_length=1000)
    time: TimeSpec | None = None
    restriction: RestrictionKind | None = None
    by: RestrictedBy | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _coverage_rules(self) -> Self:
        required, optional = COVERAGE_FIELDS[self.kind]
        problems: list[Problem] = []
        for name in _KIND_FIELDS:
            present = getattr(self, name) is not None
            if name in required and not present:
                problems.append(((name,), f"required for kind {self.kind}"))
            elif present and name not in required and name not in optional:
                problems.append(((name,), f"not allowed for kind {self.kind}"))
        if self.track is not None:
            problems.extend(
                (("track", i, "t"), "must not be earlier than the previous point")
                for i in range(1, len(self.track))
                if self.track[i].t < self.track[i - 1].t
            )
        if self.intervals is not None:
            problems.extend(
                (("intervals", i, "start"), "must not be before the previous interval's end")
                for i in range(1, len(self.intervals))
                if self.intervals[i].start < self.intervals[i - 1].end
            )
        if self.kind == "camera_uptime" and not isinstance(self.location, PointLocation | None):
            problems.append((("location", "kind"), "a camera location must be a point"))
        raise_problems("Coverage", problems)
        return self
