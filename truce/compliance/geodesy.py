"""Geodesic distances from events to sites, lines and zone boundaries, and zone lookup.

Every distance is a geodesic distance in metres on the WGS84 ellipsoid
(:data:`GEOD`, GeographicLib through pyproj), never degrees. Everything is
vectorised (numpy, shapely 2 ``STRtree``, pyproj array calls): no Python loop
runs per event, only per batch of events and per round of the search.

Example::

    sites = SiteIndex(site_lon, site_lat)           # build once per geography
    dist_m, which = sites.distance(lon, lat, within_m=5_000.0)
    zone = ZoneIndex(oblasts).locate(lon, lat)      # -1 where no zone contains it

**Model.** Events and sites are points ``(lon, lat)`` in degrees (WGS84).
A line between two vertices is the straight line in lon/lat (RFC 7946
§3.1.1). Each line is cut (``shapely.segmentize``) into elements of at most
:data:`MAX_SEGMENT_DEG` in lon/lat, each measured as the geodesic between its
ends; on elements that short the geodesic and the lon/lat-straight line are at
most 2.5 cm apart anywhere on Earth (checked up to the poles). The distance to
an element is taken at the foot of the perpendicular — located from the
along-track distance (``Geod.inv`` from the element's start), placed with
``Geod.fwd``, clamped to the element and measured with ``Geod.inv`` — or at the
element's start if nearer. Both are real points of the element: a result is
never below the true distance, and above it by nanometres in practice. Zones
use planar lon/lat containment (RFC 7946); a point on a zone's boundary is in
the zone, and where zones overlap or touch the lowest index wins.

**Search: why no candidate is ever missed.** The prefilter is plate carrée
(lon/lat as planar x/y) with a per-event box derived from the ellipsoid's
metric ``ds² = M(φ)² dφ² + p(φ)² dλ²``: ``M`` (meridional radius of curvature)
is at least ``a(1 − e²)`` = 6 335 439 m, its value at the equator, and ``p(φ) =
a cos φ / sqrt(1 − e² sin² φ)`` is the radius of the parallel. Any path of
length ≤ D from an event at latitude φ0 — the geodesic to any point within D
in particular — has ``|Δφ| ≤ D / a(1 − e²)``, so stays within ``|φ| ≤ φmax =
|φ0| + D / a(1 − e²)``, so has ``|Δλ| ≤ D / p(φmax)`` (modulo 360°; unbounded
once φmax reaches a pole). The box is built for ``D·(1 + 1e-9) + 1 m`` (the
metre covers the ≤ 2.5 cm between an element and its lon/lat bounding box, and
rounding), and a box crossing ±180° is also searched shifted by ∓360°. This
holds everywhere on Earth, poles and antimeridian included (near a pole the
box spans every longitude: slower, still exact).

Candidates are pruned with provable lower bounds: the straight 3-D (ECEF)
distance between two points of the ellipsoid never exceeds the geodesic
between them, so the 3-D distance to a *capsule* (a 3-D segment grown by a
radius) that holds a feature, less nothing else, bounds the geodesic distance
to it from below. A line element's capsule is its chord grown by the most the
geodesic can bow away from it (geodesic curvature ≤ 1 / a(1 − e²), so at most
``L² / 8a(1 − e²)``; twice that is used); a chunk's (up to ``_CHUNK``
consecutive elements) is its end-to-end chord grown to hold its elements'
capsules. Elements are measured best first while their bound is ≤ the least
distance measured so far for the event, so the nearest is always measured and
every event's result depends on that event alone (not on order or batching).

Events are bucketed in a grid of cells (numpy); the ``STRtree`` is queried once
per occupied cell with the cell grown by the largest box of its events, and the
pairs are then filtered per event. Without ``within_m``, the bound D of an event
is its exact distance to the anchor (a vertex) of the chunk nearest, in the
plane, to its cell: a real distance, so the search is exact, but its box is as
large as that distance. ``within_m`` is the fast path.

**Coarse grid.** The first time an index is asked, in one batch, about
enough events with a bound (``within_m`` under 50 km), it measures once the distance from the
centre of every cell of a ~2 km lon/lat grid over its features (grown by
50 km) and keeps, per cell, a lower bound for any point of the cell (the
centre's distance less the most a point of the cell can be from its centre;
proof in ``_Grid``). An event whose cell's bound exceeds its ``within_m`` is
answered ``(inf, -1)`` at once — exactly what the search would answer, since
its distance certainly exceeds ``within_m``. The grid changes no result, only
how soon far events are set aside.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from truce.compliance._geosearch import (
    _BATCH,
    _CHUNK,
    _GRID_CAP_M,
    _GRID_MIN_EVENTS,
    _M_MIN,
    GEOD,
    MAX_SEGMENT_DEG,
    _along,
    _best_first,
    _ecef,
    _extent,
    _Grid,
    _grid_pairs,
    _heads,
    _least,
    _margins,
    _planar_nearest,
    _ramp,
    _Segments,
    _select,
)
from truce.errors import ValidationError

__all__ = [
    "GEOD",
    "MAX_SEGMENT_DEG",
    "LineIndex",
    "SiteIndex",
    "ZoneIndex",
    "distance_to_boundaries",
    "distance_to_lines",
    "distance_to_points",
    "locate_in_zones",
]

_F8 = NDArray[np.float64]
_I8 = NDArray[np.int64]


class _Nearest(ABC):
    """Nearest-feature search shared by :class:`SiteIndex` and :class:`LineIndex`.

    The tree holds *chunks* (one site, or up to ``_CHUNK`` consecutive elements
    of a line), each with an anchor point on the feature and a capsule holding
    it (see the module docstring); *elements* (a site, a short geodesic) are
    what is measured exactly, by :meth:`_exact`.
    """

    _owners: int
    _grid: _Grid | None = None  # built on first use by enough events (see "Coarse grid")
    _anchor_is_element = False  # is a chunk's anchor distance an element's exact distance?

    def _init_chunks(
        self,
        geoms: NDArray[np.object_],
        anchor_lon: _F8,
        anchor_lat: _F8,
        axis: tuple[_F8, _F8],
        radius: _F8,
    ) -> None:
        """Chunks: tree geometries, an anchor point on each, and a capsule holding each.

        The capsule is the 3-D segment ``axis`` (ECEF ends) grown by ``radius``:
        every point of the chunk lies within it.
        """
        self._tree = shapely.STRtree(geoms)
        self._box: _F8 = shapely.bounds(geoms).reshape(-1, 4)
        self._anchor_lon = anchor_lon
        self._anchor_lat = anchor_lat
        self._capsule = _Segments(axis[0], axis[1], radius)
        self._total, self._cell = _extent(self._box)

    @abstractmethod
    def _exact(self, px: _F8, py: _F8, el: _I8) -> _F8:
        """Exact geodesic distances from events ``(px, py)`` to elements ``el``."""

    @abstractmethod
    def _expand(
        self, x: _F8, y: _F8, ev: _I8, ch: _I8, lb: _F8, xyz: _F8, ub: _F8, seed: _I8, seed_d: _F8
    ) -> tuple[_I8, _I8, _F8]:
        """(event, chunk, lower bound) -> (event, element, lower bound) worth measuring.

        May measure one element per event first (recorded in ``seed``/``seed_d``,
        and lowering ``ub``); pairs returned exclude it.
        """

    @abstractmethod
    def _owner(self, el: _I8) -> _I8:
        """The feature each element belongs to."""

    def distance(
        self, lon: ArrayLike, lat: ArrayLike, *, within_m: ArrayLike | None = None
    ) -> tuple[_F8, _I8]:
        """Geodesic distance (m) from each event to the nearest feature, and its index.

        ``lon``/``lat``: 1-d arrays of equal length N (degrees). Without
        ``within_m`` every event gets its nearest distance and feature index.
        With ``within_m`` (a scalar or one value per event, ``>= 0``; ``inf``
        means unbounded for that event) an event whose nearest distance is
        ≤ ``within_m`` gets exactly the same result as without it, and every
        other event gets ``(inf, -1)``. With no features: ``(inf, -1)`` for all.
        Ties go to the lowest feature index.
        """
        x, y = _points(lon, lat, "events")
        w = _within(within_m, len(x))
        if self._owners == 0:
            return np.full(len(x), np.inf), np.full(len(x), -1, dtype=np.int64)
        return _in_batches(self._batch, x, y, w)

    def _batch(self, x: _F8, y: _F8, w: _F8) -> tuple[_F8, _I8]:
        grid = self._grid_for(w)
        if grid is None:
            return self._search(x, y, w)
        # Certainly farther than asked (the grid's bound exceeds w): (inf, -1).
        near = np.flatnonzero(grid.lb[grid.cells(x, y)] <= w)
        if near.size == len(x):
            return self._search(x, y, w)
        dist = np.full(len(x), np.inf)
        which = np.full(len(x), -1, dtype=np.int64)
        if near.size:
            dist[near], which[near] = self._search(x[near], y[near], w[near])
        return dist, which

    def _grid_for(self, w: _F8) -> _Grid | None:
        """The coarse grid, built the first time a batch holds enough bounded events
        (None before: see the module docstring, "Coarse grid")."""
        if self._grid is None and int((w < _GRID_CAP_M).sum()) >= _GRID_MIN_EVENTS:
            self._grid = _Grid.build(self._total, self._grid_distance)
        return self._grid

    def _grid_distance(self, x: _F8, y: _F8, within: float) -> _F8:
        return _in_batches(self._search, x, y, np.full(len(x), within))[0]

    def _search(self, x: _F8, y: _F8, w: _F8) -> tuple[_F8, _I8]:
        limit = w.copy()
        seed = np.full(len(x), -1, dtype=np.int64)
        seed_d = np.full(len(x), np.inf)
        unbounded = np.flatnonzero(np.isinf(w))
        if unbounded.size:
            # A real distance to the feature bounds the search: the anchor of the
            # chunk nearest (planar) to the event's grid cell, measured exactly.
            ux, uy = x[unbounded], y[unbounded]
            chunk = _planar_nearest(self._tree, ux, uy, self._cell)
            _, _, d0 = GEOD.inv(self._anchor_lon[chunk], self._anchor_lat[chunk], ux, uy)
            limit[unbounded] = d0
            if self._anchor_is_element:  # that measure is already an element's distance
                seed[unbounded], seed_d[unbounded] = chunk, d0
        dlon, dlat = _margins(y, limit)
        ev, ch = _grid_pairs(self._tree, self._box, self._total, x, y, dlon, dlat, self._cell)
        xyz = _ecef(x, y)
        lb = self._capsule.lower_bound(xyz[ev], ch)
        keep = lb <= limit[ev]
        ub = limit.copy()
        ev, el, lb = self._expand(x, y, ev[keep], ch[keep], lb[keep], xyz, ub, seed, seed_d)
        ev, el, d = _best_first(ev, el, lb, ub, lambda e, j: self._exact(x[e], y[e], j))
        seeded = np.flatnonzero(seed >= 0)
        ev = np.concatenate([ev, seeded])
        el = np.concatenate([el, seed[seeded]])
        d = np.concatenate([d, seed_d[seeded]])
        return _select(len(x), ev, self._owner(el), d, limit)


class SiteIndex(_Nearest):
    """Protected sites (points) prepared for many :meth:`distance` queries.

    ``SiteIndex(lon, lat)`` with equal-length 1-d arrays of degrees (M may be
    0); feature indices returned by :meth:`distance` are positions in them.
    """

    _anchor_is_element = True

    def __init__(self, lon: ArrayLike, lat: ArrayLike) -> None:
        x, y = _points(lon, lat, "sites")
        self._lon, self._lat = x.copy(), y.copy()  # the caller may reuse its arrays
        self._owners = len(self._lon)
        xyz = _ecef(self._lon, self._lat)
        points = shapely.points(self._lon, self._lat)
        self._init_chunks(points, self._lon, self._lat, (xyz, xyz), np.zeros(self._owners))

    def __len__(self) -> int:
        return self._owners

    def _exact(self, px: _F8, py: _F8, el: _I8) -> _F8:
        _, _, d = GEOD.inv(self._lon[el], self._lat[el], px, py)
        return np.asarray(d, dtype=np.float64)

    def _expand(
        self, x: _F8, y: _F8, ev: _I8, ch: _I8, lb: _F8, xyz: _F8, ub: _F8, seed: _I8, seed_d: _F8
    ) -> tuple[_I8, _I8, _F8]:
        keep = ch != seed[ev]  # a site is its own chunk, already bounded exactly
        return ev[keep], ch[keep], lb[keep]

    def _owner(self, el: _I8) -> _I8:
        return el


class LineIndex(_Nearest):
    """Lines (LineString / MultiLineString in lon/lat) prepared for :meth:`distance`.

    ``LineIndex(lines)``: a sequence of shapely geometries; indices returned by
    :meth:`distance` are positions in it. Lines are cut into elements of at
    most :data:`MAX_SEGMENT_DEG` (see the module docstring for the model).
    """

    def __init__(self, lines: Sequence[Any] | NDArray[np.object_], *, field: str = "lines") -> None:
        geoms = _geometries(lines, (1, 2, 5), "LineString or MultiLineString", field)
        self._owners = len(geoms)
        if not self._owners:
            geoms = shapely.linestrings(np.zeros((2, 2)), indices=[0, 0])[:0]
        parts, part_owner = shapely.get_parts(
            shapely.segmentize(geoms, MAX_SEGMENT_DEG), return_index=True
        )
        coords, vpart = shapely.get_coordinates(parts, return_index=True)
        a = np.flatnonzero(vpart[1:] == vpart[:-1])
        a = a[(coords[a] != coords[a + 1]).any(axis=1)]
        have = np.zeros(self._owners, dtype=bool)
        have[part_owner[vpart[a]]] = True
        if not have.all():
            i = int(np.flatnonzero(~have)[0])
            raise ValidationError("line has no two distinct points", field=f"{field}[{i}]")
        self._ax, self._ay = coords[a, 0].copy(), coords[a, 1].copy()
        bx, by = coords[a + 1, 0], coords[a + 1, 1]
        self._az, _, self._len = (np.asarray(v) for v in GEOD.inv(self._ax, self._ay, bx, by))
        # Lower bound per element: 3-D distance to its chord A-B less the most the
        # geodesic can bow away from it (curvature <= 1/_M_MIN: L^2/(8 _M_MIN), doubled).
        self._chords = _Segments(
            _ecef(self._ax, self._ay), _ecef(bx, by), self._len**2 / (4.0 * _M_MIN)
        )
        self._el_owner: _I8 = part_owner[vpart[a]].astype(np.int64)
        # Chunks: runs of up to _CHUNK consecutive elements of one part.
        n = len(a)
        head = _heads(vpart[a])
        starts = np.flatnonzero(head)
        pos = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
        head |= pos % _CHUNK == 0
        chunk_of = np.cumsum(head) - 1
        self._start = np.flatnonzero(head).astype(np.int64)
        self._stop = np.append(self._start[1:], n).astype(np.int64)[: len(self._start)]
        # Chunk geometry: vertices a[start] .. a[stop - 1] + 1.
        first = a[self._start]
        count = a[self._stop - 1] + 2 - first
        vid = np.repeat(first, count) + _ramp(count)
        geom = shapely.linestrings(coords[vid], indices=np.repeat(np.arange(len(first)), count))
        if not n:
            geom = np.zeros(0, dtype=object)
        mid = self._start + (self._stop - self._start) // 2
        # Capsule of a chunk: the 3-D segment from its first to its last vertex,
        # grown by the farthest any of its elements' chords (and their bow) gets.
        first_a, last_b = self._chords.a[self._start], self._chords.b[self._stop - 1]
        cap = _Segments(first_a, last_b, np.zeros(len(first)))
        reach = np.maximum(
            cap.distance(self._chords.a, chunk_of), cap.distance(self._chords.b, chunk_of)
        )
        radius = np.zeros(len(first))
        np.maximum.at(radius, chunk_of, reach + self._chords.radius)
        geoms = np.asarray(geom, dtype=object).reshape(-1)
        self._init_chunks(geoms, self._ax[mid], self._ay[mid], (first_a, last_b), radius)

    def __len__(self) -> int:
        return self._owners

    def _owner(self, el: _I8) -> _I8:
        return self._el_owner[el]

    def _expand(
        self, x: _F8, y: _F8, ev: _I8, ch: _I8, lb: _F8, xyz: _F8, ub: _F8, seed: _I8, seed_d: _F8
    ) -> tuple[_I8, _I8, _F8]:
        if ev.size:
            # Measure first, per event, the most promising element of its most
            # promising chunk: the bound it gives prunes most other chunks.
            # (The element under the event's foot on the chunk's axis.)
            best = _least(ev, lb, len(x))
            e, c = ev[best], ch[best]
            count = self._stop[c] - self._start[c]
            at = (self._capsule.foot(xyz[e], c) * count).astype(np.int64)
            el = self._start[c] + np.minimum(at, count - 1)
            d = self._exact(x[e], y[e], el)
            ub[e] = np.minimum(ub[e], d)
            seed[e], seed_d[e] = el, d
            keep = lb <= ub[ev]
            ev, ch = ev[keep], ch[keep]
        ev, el, lb = self._elements(ev, ch, xyz)
        keep = (lb <= ub[ev]) & (el != seed[ev])
        return ev[keep], el[keep], lb[keep]

    def _elements(self, ev: _I8, ch: _I8, xyz: _F8) -> tuple[_I8, _I8, _F8]:
        """Every (event, element) of the given (event, chunk) pairs, with lower bounds."""
        count = self._stop[ch] - self._start[ch]
        pair = np.repeat(np.arange(len(ch)), count)
        el = self._start[ch][pair] + _ramp(count)
        ev = ev[pair]
        return ev, el, self._chords.lower_bound(xyz[ev], el)

    def _exact(self, px: _F8, py: _F8, el: _I8) -> _F8:
        ax, ay, az, length = self._ax[el], self._ay[el], self._az[el], self._len[el]
        az_p, _, d = GEOD.inv(ax, ay, px, py)
        # Foot of the perpendicular from the along-track distance (spherical
        # formula on the ellipsoidal azimuth and distance), measured exactly.
        s = np.clip(_along(np.asarray(d), np.asarray(az_p) - az), 0.0, length)
        fx, fy, _ = GEOD.fwd(ax, ay, az, s)
        _, _, d_f = GEOD.inv(fx, fy, px, py)
        best: _F8 = np.minimum(d, d_f)
        return best


class ZoneIndex:
    """Zones (Polygon / MultiPolygon in lon/lat) prepared for lookups and boundary distances."""

    def __init__(self, zones: Sequence[Any] | NDArray[np.object_], *, field: str = "zones") -> None:
        self._field = field
        self._geoms = _geometries(zones, (3, 6), "Polygon or MultiPolygon", field)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._box: _F8 = shapely.bounds(self._geoms).reshape(-1, 4)
        self._total, self._cell = _extent(self._box)

    def __len__(self) -> int:
        return len(self._geoms)

    @cached_property
    def boundaries(self) -> LineIndex:
        """The zones' boundaries (exterior and interior rings) as a :class:`LineIndex`."""
        return LineIndex(shapely.boundary(self._geoms), field=self._field)

    def locate(self, lon: ArrayLike, lat: ArrayLike) -> _I8:
        """Index of the zone containing each event (planar lon/lat, RFC 7946), or -1.

        A point on a boundary is in the zone; where zones overlap or share a
        border the lowest index wins. Agrees with ``shapely.intersects``.
        """
        x, y = _points(lon, lat, "events")
        out = np.full(len(x), -1, dtype=np.int64)
        n_zones = len(self._geoms)
        if n_zones == 0:
            return out
        for s in range(0, len(x), _BATCH):
            bx, by = x[s : s + _BATCH], y[s : s + _BATCH]
            zero = np.zeros(len(bx))
            ev, zone = _grid_pairs(
                self._tree, self._box, self._total, bx, by, zero, zero, self._cell, wrap=False
            )
            inside = shapely.intersects_xy(self._geoms[zone], bx[ev], by[ev])
            best = np.full(len(bx), n_zones, dtype=np.int64)
            np.minimum.at(best, ev[inside], zone[inside])
            out[s : s + _BATCH] = np.where(best < n_zones, best, -1)
        return out

    def distance_to_boundary(
        self, lon: ArrayLike, lat: ArrayLike, *, within_m: ArrayLike | None = None
    ) -> tuple[_F8, _I8]:
        """Geodesic distance (m) to the nearest zone boundary, and that zone's index.

        Same guarantees as :meth:`LineIndex.distance` (``within_m`` included).
        """
        if not len(self._geoms):
            return SiteIndex(np.zeros(0), np.zeros(0)).distance(lon, lat, within_m=within_m)
        return self.boundaries.distance(lon, lat, within_m=within_m)


def distance_to_points(
    lon: ArrayLike,
    lat: ArrayLike,
    site_lon: ArrayLike,
    site_lat: ArrayLike,
    *,
    within_m: ArrayLike | None = None,
) -> tuple[_F8, _I8]:
    """Distance (m) from each event to the nearest site, and its index.

    ``SiteIndex(site_lon, site_lat).distance(lon, lat, within_m=...)``: see
    :meth:`SiteIndex.distance` for the guarantees. Build a :class:`SiteIndex`
    once to evaluate many batches against the same sites.
    """
    return SiteIndex(site_lon, site_lat).distance(lon, lat, within_m=within_m)


def distance_to_lines(
    lon: ArrayLike,
    lat: ArrayLike,
    lines: Sequence[Any] | NDArray[np.object_],
    *,
    within_m: ArrayLike | None = None,
) -> tuple[_F8, _I8]:
    """Distance (m) from each event to the nearest line, and its index.

    ``LineIndex(lines).distance(lon, lat, within_m=...)``: see
    :meth:`LineIndex.distance`; build the index once for many batches.
    """
    return LineIndex(lines).distance(lon, lat, within_m=within_m)


def distance_to_boundaries(
    lon: ArrayLike,
    lat: ArrayLike,
    zones: Sequence[Any] | NDArray[np.object_],
    *,
    within_m: ArrayLike | None = None,
) -> tuple[_F8, _I8]:
    """Distance (m) from each event to the nearest zone boundary, and that zone's index.

    ``ZoneIndex(zones).distance_to_boundary(...)``; build the index once for many batches.
    """
    return ZoneIndex(zones).distance_to_boundary(lon, lat, within_m=within_m)


def locate_in_zones(
    lon: ArrayLike, lat: ArrayLike, zones: Sequence[Any] | NDArray[np.object_]
) -> _I8:
    """Index of the zone containing each event, -1 if none (:meth:`ZoneIndex.locate`)."""
    return ZoneIndex(zones).locate(lon, lat)


# --------------------------------------------------------------------------- helpers


def _in_batches(
    search: Callable[[_F8, _F8, _F8], tuple[_F8, _I8]], x: _F8, y: _F8, w: _F8
) -> tuple[_F8, _I8]:
    """``search`` over batches of :data:`_BATCH` events (bounded memory), joined."""
    dist = np.full(len(x), np.inf)
    which = np.full(len(x), -1, dtype=np.int64)
    for s in range(0, len(x), _BATCH):
        part = slice(s, s + _BATCH)
        dist[part], which[part] = search(x[part], y[part], w[part])
    return dist, which


def _points(lon: ArrayLike, lat: ArrayLike, field: str) -> tuple[_F8, _F8]:
    """Validated contiguous float64 lon/lat arrays."""
    try:
        x = np.ascontiguousarray(lon, dtype=np.float64)
        y = np.ascontiguousarray(lat, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"coordinates must be numbers ({exc})", field=field) from None
    if x.ndim != 1 or x.shape != y.shape:
        raise ValidationError(
            f"lon and lat must be 1-d arrays of equal length, got shapes {x.shape} and {y.shape}",
            field=field,
        )
    with np.errstate(invalid="ignore"):
        bad = ~((np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"({x[i]!r}, {y[i]!r}) is not a lon in [-180, 180] and a lat in [-90, 90]",
            field=f"{field}[{i}]",
        )
    return x, y


def _within(within_m: ArrayLike | None, n: int) -> _F8:
    if within_m is None:
        return np.full(n, np.inf)
    try:
        w = np.asarray(within_m, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"must be a number or numbers ({exc})", field="within_m") from None
    if w.ndim > 1 or (w.ndim == 1 and w.shape != (n,)):
        raise ValidationError(
            f"must be a scalar or {n} values, got shape {w.shape}", field="within_m"
        )
    if (np.isnan(w) | (w < 0)).any():
        raise ValidationError("must be >= 0 metres (inf: unbounded)", field="within_m")
    return np.broadcast_to(w, (n,)).copy()


def _geometries(
    items: Sequence[Any] | NDArray[np.object_], types: tuple[int, ...], want: str, field: str
) -> NDArray[np.object_]:
    """Validated 1-d object array of non-empty shapely geometries of the given type ids."""
    geoms = np.empty(len(items), dtype=object)
    for i, g in enumerate(items):  # per feature, not per event
        geoms[i] = g
        if not isinstance(g, shapely.Geometry) or int(shapely.get_type_id(g)) not in types:
            raise ValidationError(
                f"expected a {want}, got {type(g).__name__}", field=f"{field}[{i}]"
            )
    if not len(geoms):
        return geoms
    xy = shapely.get_coordinates(geoms)
    bad = np.flatnonzero(shapely.is_empty(geoms) | (shapely.get_num_coordinates(geoms) == 0))
    if bad.size:
        raise ValidationError(f"empty {want}", field=f"{field}[{int(bad[0])}]")
    with np.errstate(invalid="ignore"):
        ok = (np.abs(xy[:, 0]) <= 180.0) & (np.abs(xy[:, 1]) <= 90.0)
    if not ok.all():
        _, owner = shapely.get_coordinates(geoms, return_index=True)
        i = int(owner[np.flatnonzero(~ok)[0]])
        raise ValidationError(
            "coordinates outside lon [-180, 180], lat [-90, 90]", field=f"{field}[{i}]"
        )
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if invalid.size:
        i = int(invalid[0])
        reason = shapely.is_valid_reason(geoms[i])
        raise ValidationError(f"invalid {want}: {reason}", field=f"{field}[{i}]")
    return geoms
