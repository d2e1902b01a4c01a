"""The search machinery behind :mod:`truce.compliance.geodesy` (private).

Candidate pairing on a lon/lat grid sized from the ellipsoid, lower bounds from
3-D chords, best-first refinement and per-event selection; the proof that the
margins are safe is in :mod:`truce.compliance.geodesy`'s docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

__all__ = [
    "GEOD",
    "MAX_SEGMENT_DEG",
    "_A",
    "_BATCH",
    "_CHUNK",
    "_E2",
    "_GRID_CAP_M",
    "_GRID_CELL_DEG",
    "_GRID_MIN_EVENTS",
    "_LB_EPS",
    "_MAX_CELLS",
    "_M_MIN",
    "_R",
    "_REL",
    "_SLACK_M",
    "_Grid",
    "_Segments",
    "_along",
    "_best_first",
    "_cells",
    "_chord",
    "_ecef",
    "_extent",
    "_grid_pairs",
    "_heads",
    "_least",
    "_margins",
    "_planar_nearest",
    "_ramp",
    "_select",
]

_F8 = NDArray[np.float64]
_I8 = NDArray[np.int64]

#: The WGS84 ellipsoid every distance is measured on.
GEOD = pyproj.Geod(ellps="WGS84")

#: Longest element (in lon/lat degrees) a line is cut into before measuring.
MAX_SEGMENT_DEG = 0.01

_A: float = float(GEOD.a)
_E2: float = float(GEOD.es)
_M_MIN = _A * (1.0 - _E2)  # least meridional radius of curvature (at the equator)
_R = 6_371_008.8  # mean radius: only scales the along-track estimate
_REL = 1e-9  # relative widening of every search radius
_SLACK_M = 1.0  # absolute widening: element vs its bbox (≤ 2.5 cm), rounding
_LB_EPS = 1e-3  # metres taken off every lower bound (rounding of the chord)
_BATCH = 1 << 17  # events per batch (bounds memory)
_CHUNK = 8  # elements per chunk of a line in the STRtree
_MAX_CELLS = 1 << 20
_M_MAX = _A / np.sqrt(1.0 - _E2)  # greatest meridional radius of curvature (at the poles)
_GRID_CELL_DEG = 0.02  # coarse grid cell (deg): ~2 km, so its bounds are ~2 km loose
_GRID_CAP_M = 50_000.0  # the grid bounds distances up to this; farther events skip it
_GRID_MAX_CELLS = 1 << 18  # at most this many cells (then larger cells, looser bounds)
_GRID_MIN_EVENTS = 20_000  # bounded events asked about before the grid pays for itself


def _least(ev: _I8, key: _F8, n: int) -> _I8:
    """Per distinct event (< n), the position of its pair with the least key (ties: first)."""
    least = np.full(n, np.inf)
    np.minimum.at(least, ev, key)
    at = np.flatnonzero(key <= least[ev])
    first = np.full(n, len(ev), dtype=np.int64)
    np.minimum.at(first, ev[at], at)
    out: _I8 = first[first < len(ev)]
    return out


def _heads(sorted_keys: NDArray[Any]) -> NDArray[np.bool_]:
    """True where a run of equal values starts."""
    head = np.ones(len(sorted_keys), dtype=bool)
    head[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return head


def _ramp(count: _I8) -> _I8:
    """``concatenate([arange(c) for c in count])`` without the loop."""
    total = int(count.sum())
    ramp: _I8 = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return ramp


class _Segments:
    """Capsules: 3-D segments ``a``-``b`` (ECEF, m) grown by ``radius``."""

    def __init__(self, a: _F8, b: _F8, radius: _F8) -> None:
        self.a, self.b, self.radius = a, b, radius + 1e-6
        self._ab = b - a
        self._ab2 = np.maximum(np.einsum("ij,ij->i", self._ab, self._ab), 1e-300)

    def foot(self, p: _F8, i: _I8) -> _F8:
        """Position (0..1) on segments ``i`` nearest to points ``p`` (n, 3)."""
        t: _F8 = np.einsum("ij,ij->i", p - self.a[i], self._ab[i]) / self._ab2[i]
        return np.clip(t, 0.0, 1.0)

    def distance(self, p: _F8, i: _I8) -> _F8:
        """Straight 3-D distance from points ``p`` (n, 3) to segments ``i``."""
        return _chord(p, self.a[i] + self.foot(p, i)[:, None] * self._ab[i])

    def lower_bound(self, p: _F8, i: _I8) -> _F8:
        """A geodesic distance from ``p`` to anything within capsule ``i`` is at least this.

        The straight 3-D distance never exceeds the geodesic one.
        """
        bound: _F8 = self.distance(p, i) - self.radius[i] - _LB_EPS
        return bound


def _ecef(lon: _F8, lat: _F8) -> _F8:
    """Earth-centred cartesian coordinates (m) of points on the WGS84 ellipsoid, shape (n, 3)."""
    lam, phi = np.radians(lon), np.radians(lat)
    s, c = np.sin(phi), np.cos(phi)
    n = _A / np.sqrt(1.0 - _E2 * s * s)
    return np.stack([n * c * np.cos(lam), n * c * np.sin(lam), n * (1.0 - _E2) * s], axis=1)


def _chord(p: _F8, q: _F8) -> _F8:
    """Straight 3-D distance: never longer than the geodesic between the same points."""
    d = p - q
    chord: _F8 = np.sqrt(np.einsum("ij,ij->i", d, d))
    return chord


def _margins(lat: _F8, dist: _F8) -> tuple[_F8, _F8]:
    """Half-widths (deg lon, deg lat) of a box holding every point within ``dist`` m.

    See the module docstring for the proof.
    """
    dp = dist * (1.0 + _REL) + _SLACK_M
    dlat = np.degrees(dp / _M_MIN) * (1.0 + _REL)
    phi = np.radians(np.minimum(np.abs(lat) + dlat, 90.0))
    s = np.sin(phi)
    parallel = _A * np.cos(phi) / np.sqrt(1.0 - _E2 * s * s)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        dlon = np.degrees(dp / parallel) * (1.0 + _REL)
    dlon = np.where(parallel > 0, np.minimum(dlon, 180.0), 180.0)
    return dlon, dlat


def _along(dist: _F8, turn_deg: _F8) -> _F8:
    """Signed along-track distance of the foot on a sphere (an estimate for Newton steps)."""
    sigma = dist / _R
    out: _F8 = _R * np.arctan2(np.sin(sigma) * np.cos(np.radians(turn_deg)), np.cos(sigma))
    return out


def _extent(box: _F8) -> tuple[tuple[float, float, float, float], float]:
    """Total bounds of item boxes (n, 4) and a grid cell size for them (1/256 of the extent)."""
    if not len(box):
        return (0.0, 0.0, 0.0, 0.0), 1.0
    x0, y0 = float(box[:, 0].min()), float(box[:, 1].min())
    x1, y1 = float(box[:, 2].max()), float(box[:, 3].max())
    return (x0, y0, x1, y1), max(x1 - x0, y1 - y0, 2.56e-4) / 256.0


def _planar_nearest(tree: Any, x: _F8, y: _F8, cell: float) -> _I8:
    """Per event, the tree item nearest (planar lon/lat) to the centre of its grid cell."""
    extent = max(float(np.ptp(x)), float(np.ptp(y)))
    key, nx, c, x0, y0 = _cells(x, y, max(cell, extent / 128.0))
    cells, inverse = np.unique(key, return_inverse=True)
    centre = shapely.points(x0 + (cells % nx + 0.5) * c, y0 + (cells // nx + 0.5) * c)
    _, item = tree.query_nearest(centre, all_matches=False)
    nearest: _I8 = item.astype(np.int64)[inverse.reshape(-1)]
    return nearest


def _cells(x: _F8, y: _F8, cell: float) -> tuple[_I8, int, float, float, float]:
    """Grid cell key per point, for cells of at least ``cell`` degrees and at most _MAX_CELLS."""
    x0, y0 = float(x.min()), float(y.min())
    w, h = float(x.max()) - x0, float(y.max()) - y0
    c = max(cell, float(np.sqrt(w * h / _MAX_CELLS)), (w + h) / _MAX_CELLS, 1e-9)
    nx, ny = int(w // c) + 1, int(h // c) + 1
    ix = np.minimum(((x - x0) // c).astype(np.int64), nx - 1)
    iy = np.minimum(((y - y0) // c).astype(np.int64), ny - 1)
    return iy * nx + ix, nx, c, x0, y0


def _grid_pairs(
    tree: Any,
    box: _F8,
    total: tuple[float, float, float, float],
    x: _F8,
    y: _F8,
    dlon: _F8,
    dlat: _F8,
    cell: float,
    *,
    wrap: bool = True,
) -> tuple[_I8, _I8]:
    """Every (event, item) whose bbox meets the event's box ``x ± dlon, y ± dlat``.

    With ``wrap`` the box is also tried shifted by ±360° (longitude wraps).
    """
    ev_parts, x_parts = [], []
    for shift in (0.0, -360.0, 360.0) if wrap else (0.0,):
        xs = x + shift
        near = (xs + dlon >= total[0]) & (xs - dlon <= total[2])
        near &= (y + dlat >= total[1]) & (y - dlat <= total[3])
        idx = np.flatnonzero(near)
        ev_parts.append(idx)
        x_parts.append(xs[idx])
    ev = np.concatenate(ev_parts).astype(np.int64)
    if not ev.size:
        return ev, ev.copy()
    xs, ys, mx, my = np.concatenate(x_parts), y[ev], dlon[ev], dlat[ev]
    key, nx, c, x0, y0 = _cells(xs, ys, max(cell, float(np.median(my))))
    ncell = int(key.max()) + 1
    occupied = np.flatnonzero(np.bincount(key, minlength=ncell))
    grow_x, grow_y = np.zeros(ncell), np.zeros(ncell)
    np.maximum.at(grow_x, key, mx)
    np.maximum.at(grow_y, key, my)
    cx, cy = x0 + (occupied % nx) * c, y0 + (occupied // nx) * c
    gx, gy = grow_x[occupied], grow_y[occupied]
    cell_of, item = tree.query(shapely.box(cx - gx, cy - gy, cx + c + gx, cy + c + gy))
    slot = np.full(ncell, -1, dtype=np.int64)
    slot[occupied] = np.arange(len(occupied))
    n_items = np.bincount(cell_of, minlength=len(occupied))
    ev_slot = slot[key]
    cand = np.flatnonzero(n_items[ev_slot] > 0)
    cand = cand[np.argsort(ev_slot[cand], kind="stable")]
    per_slot = np.bincount(ev_slot[cand], minlength=len(occupied))
    first = np.cumsum(per_slot) - per_slot
    reps = per_slot[cell_of]
    pair = np.repeat(np.arange(len(cell_of)), reps)
    copy = cand[first[cell_of][pair] + _ramp(reps)]
    item = item[pair].astype(np.int64)
    b = box[item]
    xc, yc, mxc, myc = xs[copy], ys[copy], mx[copy], my[copy]
    ok = (
        (b[:, 0] - xc <= mxc)
        & (xc - b[:, 2] <= mxc)
        & (b[:, 1] - yc <= myc)
        & (yc - b[:, 3] <= myc)
    )
    return ev[copy[ok]], item[ok]


def _best_first(
    ev: _I8, el: _I8, lb: _F8, ub: _F8, exact: Callable[[_I8, _I8], _F8]
) -> tuple[_I8, _I8, _F8]:
    """Measure (event, element) pairs in order of lower bound while it is ≤ the event's best.

    ``ub`` (per event) is lowered in place as distances are measured. Returns
    every measured pair with its distance; the minimum per event is among them.
    """
    out_ev, out_el, out_d = [ev[:0]], [el[:0]], [lb[:0]]
    k = 0  # first round: every pair at its event's least bound (no sort needed)
    while ev.size:
        keep = lb <= ub[ev]
        ev, el, lb = ev[keep], el[keep], lb[keep]
        if not ev.size:
            break
        if k == 0:
            least = np.full(len(ub), np.inf)
            np.minimum.at(least, ev, lb)
            pick = lb <= least[ev]
            order = np.lexsort((lb, ev))
            ev, el, lb, pick = ev[order], el[order], lb[order], pick[order]
            k = 1
        else:
            pos = np.arange(ev.size)
            pick = pos - np.maximum.accumulate(np.where(_heads(ev), pos, 0)) < k
            k *= 2
        d = exact(ev[pick], el[pick])
        np.minimum.at(ub, ev[pick], d)
        out_ev.append(ev[pick])
        out_el.append(el[pick])
        out_d.append(d)
        ev, el, lb = ev[~pick], el[~pick], lb[~pick]
    return np.concatenate(out_ev), np.concatenate(out_el), np.concatenate(out_d)


def _select(n: int, ev: _I8, owner: _I8, d: _F8, limit: _F8) -> tuple[_F8, _I8]:
    """Per event the least distance ≤ its limit (ties: lowest owner), else (inf, -1)."""
    dist = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    ok = d <= limit[ev]
    ev, owner, d = ev[ok], owner[ok], d[ok]
    order = np.lexsort((owner, d, ev))
    ev, owner, d = ev[order], owner[order], d[order]
    head = _heads(ev)
    dist[ev[head]] = d[head]
    which[ev[head]] = owner[head]
    return dist, which


class _Grid:
    """A lower bound of the distance to a set of features, per lon/lat cell.

    ``lb[cell] = d(centre) - h - 1 m``, where ``d(centre)`` is the measured
    distance from the cell's centre (capped at :data:`_GRID_CAP_M`) and ``h``
    bounds the geodesic from the centre to any point of the cell: the path
    along the meridian then the parallel is at most ``M_max |Δφ| + a |Δλ|``
    (``M_max = a / sqrt(1 - e²)``, the meridional radius at the poles; the
    parallel's radius is at most ``a``). By the triangle inequality no point of
    the cell is nearer than ``lb`` to any feature. The grid spans the
    features' box grown by the margins of :data:`_GRID_CAP_M` (see
    :func:`_margins`), so an event outside it is farther than that (the last
    entry of ``lb``) — unless the grown box had to be cut at ±180° or ±90°:
    then outside is ``-inf`` (no bound).
    """

    def __init__(self, x0: float, y0: float, cell: float, shape: tuple[int, int]) -> None:
        self.x0, self.y0, self.cell = x0, y0, cell
        self.nx, self.ny = shape
        self.lb: _F8 = np.full(self.nx * self.ny + 1, -np.inf)

    @classmethod
    def build(
        cls,
        total: tuple[float, float, float, float],
        distance: Callable[[_F8, _F8, float], _F8],
    ) -> _Grid:
        """The grid over ``total`` grown by :data:`_GRID_CAP_M`; ``distance(lon, lat,
        within)`` measures from the cell centres (``inf`` beyond ``within``)."""
        far_lat = np.array([max(abs(total[1]), abs(total[3]))])
        dlon, dlat = (float(v[0]) for v in _margins(far_lat, np.array([_GRID_CAP_M])))
        grown = (total[0] - dlon, total[1] - dlat, total[2] + dlon, total[3] + dlat)
        x0, y0 = max(grown[0], -180.0), max(grown[1], -90.0)
        x1, y1 = min(grown[2], 180.0), min(grown[3], 90.0)
        cell = max(_GRID_CELL_DEG, float(np.sqrt((x1 - x0) * (y1 - y0) / _GRID_MAX_CELLS)))
        # Whole cells only, inside [-180, 180] x [-90, 90].
        nx = max(min(int(np.ceil((x1 - x0) / cell)), int((180.0 - x0) // cell)), 0)
        ny = max(min(int(np.ceil((y1 - y0) / cell)), int((90.0 - y0) // cell)), 0)
        grid = cls(x0, y0, cell, (nx, ny))
        cx = np.tile(x0 + (np.arange(nx) + 0.5) * cell, ny)
        cy = np.repeat(y0 + (np.arange(ny) + 0.5) * cell, nx)
        d = np.minimum(distance(cx, cy, _GRID_CAP_M), _GRID_CAP_M)
        half = np.radians(cell / 2.0) * (_M_MAX + _A) * (1.0 + _REL)
        grid.lb[:-1] = d - half - _SLACK_M
        if (x0, y0) == grown[:2] and x0 + nx * cell >= grown[2] and y0 + ny * cell >= grown[3]:
            grid.lb[-1] = _GRID_CAP_M - _SLACK_M
        return grid

    def cells(self, x: _F8, y: _F8) -> _I8:
        """The cell of each event; ``nx * ny`` (the last entry of ``lb``) outside the grid."""
        ix = np.floor((x - self.x0) / self.cell)
        iy = np.floor((y - self.y0) / self.cell)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        key: _I8 = np.where(inside, iy * self.nx + ix, self.nx * self.ny).astype(np.int64)
        return key
