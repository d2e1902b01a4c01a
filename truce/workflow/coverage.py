"""Coverage and restrictions, summarised per local day: what the mission could see.

Pure computation over :class:`truce.records.Coverage` records and an
:class:`truce.agreement.Agreement`; nothing is read from or written to a store.
:func:`summarise_coverage` gives one :class:`DayCoverage` per local day (the
agreement's time zone) so a report can say "none observed *where we could
see*" and say how much that was:

* **contact area**: the band of half-width ``contact_band_m`` around every
  feature of the agreement's line layers (or of ``line_layer`` only);
* **seen area**: the union of the day's patrol footprints (each track buffered
  by ``patrol_sight_m``) and the view discs (``view_radius_m``) of every camera
  up at any time that day, intersected with the contact area;
* **sites**: a protected site is seen on a day when it lies within the
  patrol sight of one of that day's track pieces or within the view radius of
  a camera up that day (tested against the exact line/point distances, so
  adding a record can never make a site unseen);
* **restrictions**: denied, conditional and delayed access, counted by kind
  and by who imposed them, with the list of events.

Days and time. A patrol track is split by segment: each segment belongs to
the local date of its *start* point (a segment from 23:50 to 00:10 counts on
the earlier day); a track counts as one patrol on every day it has a
segment. Camera intervals are clipped to each local day, ``[00:00, 24:00)`` in
the agreement's time zone (so a day of a DST change has 23 or 25 hours);
uptime of one camera id is merged across records before hours are summed. A
restriction belongs to the local date of the start of its time.

Geometry. Longitudes and latitudes are projected with pyproj to a Lambert
azimuthal equal-area projection (``+proj=laea``, WGS84 ellipsoid) centred on
the centroid of the line layers used. It is *equal-area*, so areas in km² are
true, and, being azimuthal and centred on the area of the agreement, its
distance distortion stays below 0.1 % within 500 km of the centre, so circles
and buffers in metres stay circles and buffers on the ground. A global
equal-area grid such as EPSG:6933 (cylindrical) would give true areas but
stretch a 5 km buffer by ~50 % east-west at the latitude of Ukraine. Buffers
are polygons with 16 segments per quarter circle (area within 0.2 % of the
true disc). Patrol kilometres are geodesic (WGS84). Geometries crossing the
antimeridian are not supported.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod, Transformer

from truce.agreement import Agreement, EnergyMoratorium, Site
from truce.errors import ValidationError
from truce.records import BearingLocation, Coverage

__all__ = [
    "MAX_DAYS",
    "RESTRICTION_KINDS",
    "CoverageSettings",
    "CoverageSummary",
    "DayCoverage",
    "RestrictionEvent",
    "default_sites",
    "summarise_coverage",
]

#: The most days one summary may cover (ten years); more is refused.
MAX_DAYS = 3660
#: The kinds of access restriction, in the order they are reported.
RESTRICTION_KINDS: tuple[str, ...] = ("denied", "conditional", "delayed")

_MAX_SIGHT_M = 50_000.0
_MAX_BAND_M = 200_000.0
_QUAD_SEGS = 16
_GEOD = Geod(ellps="WGS84")
_ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class CoverageSettings:
    """How far the mission sees and how wide the contact area is.

    Guarantees: ``0 < patrol_sight_m <= 50 000`` and ``0 < contact_band_m <=
    200 000`` (finite floats); ``line_layer`` is None (every line layer) or a
    non-empty layer id. Anything else raises ValidationError naming the field.
    """

    #: How far a patrol sees on either side of its track, in metres.
    patrol_sight_m: float = 5000.0
    #: Half-width of the contact area around the agreement's lines, in metres.
    contact_band_m: float = 15000.0
    #: The one line layer the contact area is built on (None: all of them).
    line_layer: str | None = None

    def __post_init__(self) -> None:
        for name, limit in (("patrol_sight_m", _MAX_SIGHT_M), ("contact_band_m", _MAX_BAND_M)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValidationError(f"must be a number, got {type(value).__name__}", field=name)
            if not math.isfinite(value) or not 0 < value <= limit:
                raise ValidationError(
                    f"must be more than 0 and at most {limit:g} metres, got {value!r}", field=name
                )
            object.__setattr__(self, name, float(value))
        layer = self.line_layer
        if layer is not None and (not isinstance(layer, str) or not layer.strip()):
            raise ValidationError("must be a non-empty layer id or None", field="line_layer")

    def to_dict(self) -> dict[str, Any]:
        """``{"patrol_sight_m", "contact_band_m", "line_layer"}`` (plain JSON)."""
        return {
            "patrol_sight_m": self.patrol_sight_m,
            "contact_band_m": self.contact_band_m,
            "line_layer": self.line_layer,
        }


@dataclass(frozen=True)
class RestrictionEvent:
    """One recorded restriction of the mission's access."""

    time: datetime  #: start of the record's time, UTC
    team: str
    restriction: str  #: denied | conditional | delayed
    by: str  #: a party id or ``unknown``
    reason: str
    lon: float
    lat: float

    def _key(self) -> tuple[Any, ...]:
        return (self.time, self.team, self.restriction, self.by, self.lon, self.lat, self.reason)

    def to_dict(self) -> dict[str, Any]:
        """Keys ``time`` (ISO UTC, ``Z``), ``team``, ``restriction``, ``by``, ``reason``,
        ``lon``, ``lat`` (6 decimals)."""
        utc = self.time.astimezone(UTC).replace(tzinfo=None)
        return {
            "time": utc.isoformat(timespec="seconds") + "Z",
            "team": self.team,
            "restriction": self.restriction,
            "by": self.by,
            "reason": self.reason,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
        }


@dataclass(frozen=True)
class DayCoverage:
    """What the mission could see on one local day.

    Guarantees: ``0 <= seen_km2 <= contact_km2``; ``0 <= area_share <= 1``;
    ``sites_seen + len(sites_unseen) == sites_total``; ``site_share`` is in
    [0, 1], or None when there are no sites; ``restrictions`` is sorted by
    time; ``restrictions_by_kind`` has every kind of :data:`RESTRICTION_KINDS`.
    """

    day: date
    contact_km2: float
    seen_km2: float
    area_share: float
    cameras: int  #: distinct cameras up at any time that day
    camera_hours: float  #: sum over cameras of their hours up that day
    patrols: int  #: patrol tracks with a segment that day
    patrol_km: float  #: geodesic length of those segments
    sites_total: int
    sites_seen: int
    site_share: float | None
    sites_unseen: tuple[str, ...]  #: site ids, sorted by (layer, id)
    restrictions: tuple[RestrictionEvent, ...]
    restrictions_by_kind: Mapping[str, int] = field(hash=False)
    restrictions_by_party: Mapping[str, int] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``date`` (ISO), ``contact_km2``, ``seen_km2`` (0.1 km²),
        ``area_share`` (4 decimals), ``cameras``, ``camera_hours`` (0.01 h),
        ``patrols``, ``patrol_km`` (0.01 km), ``sites_total``, ``sites_seen``,
        ``site_share`` (4 decimals or null), ``sites_unseen`` and ``restrictions``
        = ``{"total", "by_kind", "by_party", "events"}``."""
        return {
            "date": self.day.isoformat(),
            "contact_km2": round(self.contact_km2, 1),
            "seen_km2": round(self.seen_km2, 1),
            "area_share": round(self.area_share, 4),
            "cameras": self.cameras,
            "camera_hours": round(self.camera_hours, 2),
            "patrols": self.patrols,
            "patrol_km": round(self.patrol_km, 2),
            "sites_total": self.sites_total,
            "sites_seen": self.sites_seen,
            "site_share": None if self.site_share is None else round(self.site_share, 4),
            "sites_unseen": list(self.sites_unseen),
            "restrictions": {
                "total": len(self.restrictions),
                "by_kind": dict(self.restrictions_by_kind),
                "by_party": dict(self.restrictions_by_party),
                "events": [event.to_dict() for event in self.restrictions],
            },
        }


@dataclass(frozen=True)
class CoverageSummary:
    """Coverage of one agreement's area, day by day (days sorted, each once)."""

    agreement_id: str
    agreement_version: int
    time_zone: str
    projection: str  #: the PROJ string of the equal-area projection used
    line_layers: tuple[str, ...]
    settings: CoverageSettings
    contact_km2: float
    sites_total: int
    days: tuple[DayCoverage, ...]

    def day(self, day: date) -> DayCoverage | None:
        """The coverage of ``day``, or None if the summary does not cover it."""
        for entry in self.days:
            if entry.day == day:
                return entry
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``agreement`` (``{"id", "version"}``), ``time_zone``,
        ``projection``, ``line_layers``, ``settings``, ``contact_km2`` (0.1 km²),
        ``sites_total`` and ``days`` (each :meth:`DayCoverage.to_dict`, by date)."""
        return {
            "agreement": {"id": self.agreement_id, "version": self.agreement_version},
            "time_zone": self.time_zone,
            "projection": self.projection,
            "line_layers": list(self.line_layers),
            "settings": self.settings.to_dict(),
            "contact_km2": round(self.contact_km2, 1),
            "sites_total": self.sites_total,
            "days": [entry.to_dict() for entry in self.days],
        }


def default_sites(agreement: Agreement) -> tuple[Site, ...]:
    """Every site protected by an energy-moratorium term of ``agreement``.

    The union of :meth:`Agreement.protected_sites` over its
    :class:`~truce.agreement.EnergyMoratorium` terms — every party's list and
    inline selectors alike — each site once (by layer and id), sorted by
    (layer, id). Windows at a single site are local and temporary and are not
    included; pass ``sites=`` to :func:`summarise_coverage` to choose others.
    """
    return _unique(
        site
        for term in agreement.terms
        if isinstance(term, EnergyMoratorium)
        for group in agreement.protected_sites(term).values()
        for site in group
    )


def _unique(sites: Iterable[Site]) -> tuple[Site, ...]:
    found = {(site.layer, site.id): site for site in reversed(list(sites))}
    return tuple(found[key] for key in sorted(found))


# -- the frame: projection, contact area and sites, computed once per call ----------


@dataclass(frozen=True)
class _Frame:
    transformer: Any
    projection: str
    line_layers: tuple[str, ...]
    contact: Any  # projected shapely (Multi)Polygon
    contact_km2: float
    sites: tuple[Site, ...]
    site_points: NDArray[np.object_]

    def project(
        self, lon: Sequence[float] | NDArray[np.float64], lat: Sequence[float] | NDArray[np.float64]
    ) -> NDArray[np.float64]:
        x, y = self.transformer.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]).astype(np.float64)


def _frame(agreement: Agreement, settings: CoverageSettings, sites: tuple[Site, ...]) -> _Frame:
    lines = agreement.layers.lines
    if not lines:
        raise ValidationError(
            "the agreement has no line layer; the contact area is the band around its lines",
            field="geography.lines",
        )
    if settings.line_layer is not None:
        lines = tuple(layer for layer in lines if layer.id == settings.line_layer)
        if not lines:
            known = ", ".join(layer.id for layer in agreement.layers.lines)
            raise ValidationError(
                f"no line layer {settings.line_layer!r} in the agreement (line layers: {known})",
                field="settings.line_layer",
            )
    geoms = np.concatenate([layer.geometries() for layer in lines])
    centre = shapely.centroid(shapely.union_all(geoms))
    projection = (
        f"+proj=laea +lat_0={round(centre.y, 4)} +lon_0={round(centre.x, 4)} "
        "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    )
    transformer = Transformer.from_crs("EPSG:4326", projection, always_xy=True)

    def to_metres(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected = shapely.transform(geoms, to_metres)
    contact = shapely.union_all(
        shapely.buffer(projected, settings.contact_band_m, quad_segs=_QUAD_SEGS)
    )
    if sites:
        sx, sy = transformer.transform(
            np.array([s.lon for s in sites], float), np.array([s.lat for s in sites], float)
        )
        site_points = shapely.points(np.atleast_1d(sx), np.atleast_1d(sy))
    else:
        site_points = np.empty(0, dtype=object)
    return _Frame(
        transformer=transformer,
        projection=projection,
        line_layers=tuple(layer.id for layer in lines),
        contact=contact,
        contact_km2=float(shapely.area(contact)) / 1e6,
        sites=sites,
        site_points=site_points,
    )


# -- days -------------------------------------------------------------------------


class _Days:
    """Sorted local days with their UTC bounds, and interval clipping."""

    def __init__(self, days: Sequence[date], tz: ZoneInfo) -> None:
        self.days = tuple(days)
        self.index = {d: i for i, d in enumerate(self.days)}
        self.starts = [_local_midnight(d, tz) for d in self.days]
        self.ends = [_local_midnight(d + timedelta(days=1), tz) for d in self.days]

    def overlaps(self, start: datetime, end: datetime) -> Iterator[tuple[int, float]]:
        """(day index, seconds of ``[start, end)`` inside that day), for overlapping days."""
        i = bisect.bisect_right(self.ends, start)
        while i < len(self.days) and self.starts[i] < end:
            seconds = (min(end, self.ends[i]) - max(start, self.starts[i])).total_seconds()
            if seconds > 0:
                yield i, seconds
            i += 1


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[date]:
    first = start.astimezone(tz).date()
    last = (end - _ONE_US).astimezone(tz).date()
    if (last - first).days >= MAX_DAYS:
        raise _too_many_days()
    for k in range((last - first).days + 1):
        yield first + timedelta(days=k)


def _too_many_days() -> ValidationError:
    reason = f"the records span more than {MAX_DAYS} days; pass the days to summarise"
    return ValidationError(reason, field="days")


def _track(record: Coverage, where: str) -> tuple[Any, ...]:
    if record.track is None or len(record.track) < 2:
        raise ValidationError("a patrol track needs at least 2 points", field=f"{where}.track")
    return record.track


def _location(record: Coverage, where: str) -> tuple[float, float]:
    loc = record.location
    if loc is None:
        raise ValidationError(f"required for kind {record.kind}", field=f"{where}.location")
    point = loc.estimate() if isinstance(loc, BearingLocation) else loc
    return point.lon, point.lat


def _default_days(records: Sequence[Coverage], tz: ZoneInfo) -> list[date]:
    found: set[date] = set()
    for i, record in enumerate(records):
        if record.kind == "patrol_track":
            found.update(p.t.astimezone(tz).date() for p in _track(record, f"records[{i}]")[:-1])
        elif record.kind == "camera_uptime":
            for interval in record.intervals or ():
                found.update(_local_dates(interval.start, interval.end, tz))
        elif record.time is not None:
            found.add(record.time.interval()[0].astimezone(tz).date())
        if len(found) > MAX_DAYS:
            raise _too_many_days()
    return sorted(found)


def _check_days(days: Sequence[date]) -> list[date]:
    for i, day in enumerate(days):
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValidationError(f"must be a date, got {type(day).__name__}", field=f"days[{i}]")
    unique = sorted(set(days))
    if len(unique) > MAX_DAYS:
        raise ValidationError(f"at most {MAX_DAYS} days per summary", field="days")
    return unique


# -- the summary ------------------------------------------------------------------


@dataclass
class _Day:
    """Accumulates one day's pieces while the records are read."""

    shapes: list[Any] = field(default_factory=list)  # projected lines and points
    reach: list[float] = field(default_factory=list)  # how far each shape sees, metres
    patrols: set[int] = field(default_factory=set)
    patrol_m: float = 0.0
    cameras: set[str] = field(default_factory=set)
    camera_s: float = 0.0
    restrictions: list[RestrictionEvent] = field(default_factory=list)


def summarise_coverage(
    records: Iterable[Coverage],
    agreement: Agreement,
    *,
    days: Sequence[date] | None = None,
    sites: Sequence[Site] | None = None,
    settings: CoverageSettings | None = None,
) -> CoverageSummary:
    """Summarise what the mission could see, one :class:`DayCoverage` per local day.

    ``days`` (default: every local day a record touches) are summarised in
    date order, each once, even when no record touches them. ``sites``
    defaults to :func:`default_sites`; duplicates (same layer and id) count
    once. ``settings`` defaults to :class:`CoverageSettings()`. See the
    module docstring for how days, areas and sites are computed.

    Guarantees: deterministic for the same inputs, and record order changes
    nothing beyond float rounding (invisible after ``to_dict``); adding a
    record never lowers a day's seen area or seen sites.
    Raises ValidationError for an element of ``records`` that is not a
    Coverage (``records[i]``), a day that is not a date (``days[i]``), more
    than :data:`MAX_DAYS` days (``days``), an element of ``sites`` that is not
    a Site (``sites[i]``), an agreement without line layers
    (``geography.lines``) or an unknown ``settings.line_layer``.
    """
    settings = CoverageSettings() if settings is None else settings
    if not isinstance(settings, CoverageSettings):
        raise ValidationError("must be a CoverageSettings", field="settings")
    if not isinstance(agreement, Agreement):
        raise ValidationError("must be an Agreement", field="agreement")
    items = list(records)
    for i, record in enumerate(items):
        if not isinstance(record, Coverage):
            raise ValidationError(
                f"must be a Coverage record, got {type(record).__name__}", field=f"records[{i}]"
            )
    chosen = default_sites(agreement) if sites is None else _check_sites(sites)
    frame = _frame(agreement, settings, chosen)
    tz = agreement.time_zone
    calendar = _Days(_default_days(items, tz) if days is None else _check_days(days), tz)
    acc = [_Day() for _ in calendar.days]
    uptime: dict[str, list[tuple[datetime, datetime]]] = {}
    for i, record in enumerate(items):
        where = f"records[{i}]"
        if record.kind == "patrol_track":
            _add_track(i, _track(record, where), frame, calendar, acc, settings, tz)
        elif record.kind == "camera_uptime":
            _add_camera(record, where, frame, calendar, acc, uptime)
        else:
            _add_restriction(record, where, calendar, acc, tz)
    for camera, spans in uptime.items():
        for start, end in _merged(spans):
            for d, seconds in calendar.overlaps(start, end):
                acc[d].cameras.add(camera)
                acc[d].camera_s += seconds
    parties = [p.id for p in agreement.parties]
    return CoverageSummary(
        agreement_id=agreement.id,
        agreement_version=agreement.version,
        time_zone=tz.key,
        projection=frame.projection,
        line_layers=frame.line_layers,
        settings=settings,
        contact_km2=frame.contact_km2,
        sites_total=len(frame.sites),
        days=tuple(
            _day_coverage(day, a, frame, parties) for day, a in zip(calendar.days, acc, strict=True)
        ),
    )


def _check_sites(sites: Sequence[Site]) -> tuple[Site, ...]:
    for i, site in enumerate(sites):
        if not isinstance(site, Site):
            raise ValidationError(f"must be a Site, got {type(site).__name__}", field=f"sites[{i}]")
    return _unique(sites)


def _add_track(
    index: int,
    track: tuple[Any, ...],
    frame: _Frame,
    calendar: _Days,
    acc: list[_Day],
    settings: CoverageSettings,
    tz: ZoneInfo,
) -> None:
    lon = np.array([p.lon for p in track], float)
    lat = np.array([p.lat for p in track], float)
    _, _, metres = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    metres = np.atleast_1d(np.asarray(metres, float))
    xy = frame.project(lon, lat)
    seg_days = [calendar.index.get(p.t.astimezone(tz).date()) for p in track[:-1]]
    start = 0
    while start < len(seg_days):  # runs of consecutive segments on one local day
        stop = start
        while stop + 1 < len(seg_days) and seg_days[stop + 1] == seg_days[start]:
            stop += 1
        d = seg_days[start]
        if d is not None:
            acc[d].shapes.append(shapely.linestrings(xy[start : stop + 2]))
            acc[d].reach.append(settings.patrol_sight_m)
            acc[d].patrols.add(index)
            acc[d].patrol_m += float(metres[start : stop + 1].sum())
        start = stop + 1


def _add_camera(
    record: Coverage,
    where: str,
    frame: _Frame,
    calendar: _Days,
    acc: list[_Day],
    uptime: dict[str, list[tuple[datetime, datetime]]],
) -> None:
    if record.camera is None or record.view_radius_m is None or not record.intervals:
        raise ValidationError(
            "a camera_uptime record needs camera, view_radius_m and intervals", field=where
        )
    lon, lat = _location(record, where)
    xy = frame.project([lon], [lat])
    point = shapely.points(xy[0])
    spans = [(iv.start, iv.end) for iv in record.intervals]
    uptime.setdefault(record.camera, []).extend(spans)
    up_days = {d for start, end in spans for d, _ in calendar.overlaps(start, end)}
    for d in sorted(up_days):
        acc[d].shapes.append(point)
        acc[d].reach.append(record.view_radius_m)


def _add_restriction(
    record: Coverage, where: str, calendar: _Days, acc: list[_Day], tz: ZoneInfo
) -> None:
    if record.time is None or record.restriction is None:
        raise ValidationError("a denied_access record needs time and restriction", field=where)
    at = record.time.interval()[0]
    d = calendar.index.get(at.astimezone(tz).date())
    if d is None:
        return
    lon, lat = _location(record, where)
    acc[d].restrictions.append(
        RestrictionEvent(
            time=at.astimezone(UTC),
            team=record.team or "",
            restriction=record.restriction,
            by=record.by or "unknown",
            reason=record.reason or "",
            lon=lon,
            lat=lat,
        )
    )


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _day_coverage(day: date, a: _Day, frame: _Frame, parties: Sequence[str]) -> DayCoverage:
    seen_km2 = 0.0
    seen_mask: NDArray[np.bool_] = np.zeros(len(frame.sites), dtype=bool)
    if a.shapes:
        shapes = np.empty(len(a.shapes), dtype=object)
        shapes[:] = a.shapes
        reach = np.asarray(a.reach, float)
        footprint = shapely.union_all(shapely.buffer(shapes, reach, quad_segs=_QUAD_SEGS))
        seen_km2 = float(shapely.area(shapely.intersection(footprint, frame.contact))) / 1e6
        seen_km2 = min(max(seen_km2, 0.0), frame.contact_km2)
        if len(frame.sites):
            near = shapely.dwithin(shapes[:, None], frame.site_points[None, :], reach[:, None])
            seen_mask = np.asarray(np.asarray(near, bool).any(axis=0), bool)
    total = len(frame.sites)
    seen = int(seen_mask.sum())
    by_kind = dict.fromkeys(RESTRICTION_KINDS, 0)
    by_party = dict.fromkeys(parties, 0)
    events = tuple(sorted(a.restrictions, key=RestrictionEvent._key))
    for event in events:
        by_kind[event.restriction] = by_kind.get(event.restriction, 0) + 1
        by_party[event.by] = by_party.get(event.by, 0) + 1
    others = sorted(k for k in by_party if k not in parties and k != "unknown")
    party_counts = {k: by_party[k] for k in (*parties, *others)}
    party_counts["unknown"] = by_party.get("unknown", 0)
    return DayCoverage(
        day=day,
        contact_km2=frame.contact_km2,
        seen_km2=seen_km2,
        area_share=min(1.0, seen_km2 / frame.contact_km2) if frame.contact_km2 > 0 else 0.0,
        cameras=len(a.cameras),
        camera_hours=a.camera_s / 3600.0,
        patrols=len(a.patrols),
        patrol_km=a.patrol_m / 1000.0,
        sites_total=total,
        sites_seen=seen,
        site_share=seen / total if total else None,
        sites_unseen=tuple(s.id for s, hit in zip(frame.sites, seen_mask, strict=True) if not hit),
        restrictions=events,
        restrictions_by_kind=MappingProxyType(by_kind),
        restrictions_by_party=MappingProxyType(party_counts),
    )
