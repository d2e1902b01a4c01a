"""Geodesic distances and zone lookup against hand-placed points and brute force, on real geography.

Points are placed with pyproj's WGS84 ``Geod.fwd`` at known geodesic distances
from real power plants (Global Power Plant Database), from the example
agreement's contact line and from real oblast boundaries (geoBoundaries), and
checked against the known distance or against a brute-force reference: every
pair measured with ``Geod.inv``, or the line sampled every metre or so.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

import truce
from truce.compliance import _geosearch, geodesy
from truce.compliance.geodesy import (
    GEOD,
    LineIndex,
    SiteIndex,
    ZoneIndex,
    distance_to_boundaries,
    distance_to_lines,
    distance_to_points,
    locate_in_zones,
)
from truce.errors import ValidationError

DATA = Path(truce.__file__).resolve().parent / "data"
UKRAINE_BBOX = (22.14, 44.38, 40.23, 52.38)
F8 = NDArray[np.float64]


def _plants() -> tuple[F8, F8]:
    features = json.loads((DATA / "ukraine_power_plants.geojson").read_text("utf-8"))["features"]
    xy = np.array([f["geometry"]["coordinates"] for f in features], dtype=np.float64)
    return xy[:, 0].copy(), xy[:, 1].copy()


def _contact_line() -> F8:
    doc = yaml.safe_load((DATA / "example-agreement.yaml").read_text("utf-8"))
    (layer,) = [x for x in doc["geography"]["lines"] if x["id"] == "contact-line"]
    (feature,) = layer["source"]["inline"]["features"]
    return np.array(feature["geometry"]["coordinates"], dtype=np.float64)


def _oblasts() -> list[Any]:
    doc = json.loads((DATA / "ukraine_adm1.geojson").read_text("utf-8"))
    return [shapely.geometry.shape(f["geometry"]) for f in doc["features"]]


PLANT_LON, PLANT_LAT = _plants()
CONTACT = _contact_line()
OBLASTS = _oblasts()


def _brute_points(lon: F8, lat: F8, slon: F8, slat: F8) -> tuple[F8, NDArray[np.int64]]:
    """Geod.inv over every (event, site) pair: least per event, lowest index on ties."""
    n, m = len(lon), len(slon)
    _, _, d = GEOD.inv(np.tile(slon, n), np.tile(slat, n), np.repeat(lon, m), np.repeat(lat, m))
    d = np.asarray(d).reshape(n, m)
    return d.min(axis=1), d.argmin(axis=1)


def _brute_line(px: float, py: float, lines: list[Any], bound_m: float) -> float:
    """Least Geod.inv distance to the lines sampled every ~1 m (lon/lat-straight segments).

    Only the part of the lines inside a box holding every point within
    ``bound_m`` of the event is sampled (box: 1° of latitude >= 110 574 m, of
    longitude >= 111 320 m · cos(highest latitude)). A result below the true
    distance makes the box too small and the reference larger, so the
    comparison fails either way.
    """
    dlat = bound_m * 1.01 / 110_574.0 + 1e-3
    dlon = bound_m * 1.01 / (111_320.0 * np.cos(np.radians(abs(py) + dlat))) + 1e-3
    box = (px - dlon, py - dlat, px + dlon, py + dlat)
    pieces = [shapely.clip_by_rect(g, *box) for g in lines]
    xy = shapely.get_coordinates(shapely.segmentize(np.array(pieces, dtype=object), 1e-5))
    assert len(xy), "no part of the lines within the bound"
    _, _, d = GEOD.inv(np.full(len(xy), px), np.full(len(xy), py), xy[:, 0], xy[:, 1])
    return float(np.min(d))


# ----------------------------------------------------------------- points


def test_points_placed_around_real_power_plants() -> None:
    index = SiteIndex(PLANT_LON, PLANT_LAT)
    assert len(index) == len(PLANT_LON) == 64
    azimuths = np.array([0.0, 37.0, 90.0, 165.0, 200.0, 271.5])
    for dist in (4_999.0, 5_001.0):
        lon0 = np.repeat(PLANT_LON, len(azimuths))
        lat0 = np.repeat(PLANT_LAT, len(azimuths))
        az = np.tile(azimuths, len(PLANT_LON))
        lon, lat, _ = GEOD.fwd(lon0, lat0, az, np.full(len(az), dist))
        got, which = index.distance(lon, lat)
        want, want_which = _brute_points(lon, lat, PLANT_LON, PLANT_LAT)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(which, want_which)
        # Where no other plant is nearer, it is the plant the point was placed from.
        own = np.repeat(np.arange(len(PLANT_LON)), len(azimuths))
        alone = want_which == own
        assert alone.mean() > 0.75  # a few plants stand within 10 km of each other
        np.testing.assert_allclose(got[alone], dist, rtol=0, atol=1e-3)
        # within_m = 5 km keeps 4 999 m and drops 5 001 m, unless another plant is near.
        near, near_which = index.distance(lon, lat, within_m=5_000.0)
        inside = want <= 5_000.0
        assert inside[alone].all() == (dist < 5_000.0)
        np.testing.assert_array_equal(near[inside], got[inside])
        np.testing.assert_array_equal(near_which[inside], which[inside])
        assert np.isinf(near[~inside]).all() and (near_which[~inside] == -1).all()


def test_hand_computed_distance_between_two_plants() -> None:
    # Burshtyn (24.6665, 49.2104) to Bolgrad (28.599, 45.765): pyproj's Geod.inv.
    _, _, want = GEOD.inv(28.599, 45.765, 24.6665, 49.2104)
    got, which = distance_to_points([24.6665], [49.2104], [28.599, 40.0], [45.765, 40.0])
    assert which.tolist() == [0]
    assert got[0] == pytest.approx(want, abs=1e-6)
    assert 480_000 < got[0] < 490_000  # about 484 km, the scale sanity of metres


def test_antimeridian_and_poles() -> None:
    index = SiteIndex([179.99, -179.5, 10.0], [0.0, 0.0, 89.999])
    lon = np.array([-179.99, 100.0, -170.0, 0.0])
    lat = np.array([0.0, 89.9995, 0.0, -90.0])
    want, want_which = _brute_points(lon, lat, index._lon, index._lat)
    got, which = index.distance(lon, lat)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(which, want_which)
    assert got[0] == pytest.approx(2_226.39, abs=0.01)  # across ±180°
    near, near_which = index.distance(lon, lat, within_m=5_000.0)
    assert near_which.tolist() == [0, 2, -1, -1]
    assert near[:2].tolist() == got[:2].tolist()


def test_per_event_within() -> None:
    lon, lat, _ = GEOD.fwd(
        [30.0, 30.0, 30.0], [50.0, 50.0, 50.0], [0.0, 90.0, 180.0], [1e3, 2e3, 3e3]
    )
    got, which = distance_to_points(lon, lat, [30.0], [50.0], within_m=[999.0, 2_000.5, np.inf])
    assert np.isinf(got[0]) and which[0] == -1
    assert got[1] == pytest.approx(2e3, abs=1e-6) and which[1] == 0
    assert got[2] == pytest.approx(3e3, abs=1e-6) and which[2] == 0


# ----------------------------------------------------------------- lines


def _tangent_azimuth(ax: float, ay: float, bx: float, by: float, lat: float) -> float:
    """Azimuth (deg) of the lon/lat-straight line A-B at ``lat`` (metric: M dφ, N cos φ dλ)."""
    phi = np.radians(lat)
    w = np.sqrt(1.0 - GEOD.es * np.sin(phi) ** 2)
    m = GEOD.a * (1.0 - GEOD.es) / w**3
    n = GEOD.a / w
    return float(np.degrees(np.arctan2((bx - ax) * n * np.cos(phi), (by - ay) * m)))


def test_offsets_perpendicular_to_the_contact_line() -> None:
    line = shapely.LineString(CONTACT)
    index = LineIndex([line])
    for (ax, ay), (bx, by) in itertools.pairwise(CONTACT):
        mx, my = (ax + bx) / 2.0, (ay + by) / 2.0
        tangent = _tangent_azimuth(ax, ay, bx, by, my)
        for side in (90.0, -90.0):
            for offset in (250.0, 4_000.0):
                px, py, _ = GEOD.fwd(mx, my, tangent + side, offset)
                got, which = index.distance([px], [py])
                assert which.tolist() == [0]
                reference = _brute_line(px, py, [line], float(got[0]))
                assert abs(got[0] - reference) < 0.05, (ax, ay, side, offset)
                assert got[0] == pytest.approx(offset, abs=1.0)


def test_beyond_the_ends_of_the_contact_line() -> None:
    index = LineIndex([shapely.LineString(CONTACT)])
    for end, before in ((CONTACT[-1], CONTACT[-2]), (CONTACT[0], CONTACT[1])):
        az, _, _ = GEOD.inv(before[0], before[1], end[0], end[1])
        px, py, _ = GEOD.fwd(end[0], end[1], az + 10.0, 3_000.0)  # past the end
        got, _ = index.distance([px], [py])
        assert got[0] == pytest.approx(3_000.0, abs=1e-3)


def test_multiline_nearest_part_and_index() -> None:
    a = shapely.LineString([(30.0, 50.0), (31.0, 50.0)])
    b = shapely.MultiLineString([[(30.0, 49.0), (31.0, 49.0)], [(30.0, 50.2), (31.0, 50.2)]])
    px, py = np.array([30.5, 30.5, 30.5]), np.array([50.05, 50.15, 48.0])
    got, which = distance_to_lines(px, py, [a, b])
    assert which.tolist() == [0, 1, 1]
    for i, g in enumerate([a, b, b]):
        assert got[i] == pytest.approx(_brute_line(px[i], py[i], [g], float(got[i])), abs=0.05)


def test_lines_within_matches_unbounded() -> None:
    rng = np.random.default_rng(11)
    lon = rng.uniform(30.0, 40.0, 20_000)
    lat = rng.uniform(45.5, 51.5, 20_000)
    line = shapely.LineString(CONTACT)
    index = LineIndex([line])
    full, which = index.distance(lon, lat)
    near, near_which = index.distance(lon, lat, within_m=15_000.0)
    inside = full <= 15_000.0
    assert 500 < inside.sum() < 19_000
    np.testing.assert_array_equal(near[inside], full[inside])
    np.testing.assert_array_equal(near_which[inside], which[inside])
    assert np.isinf(near[~inside]).all() and (near_which[~inside] == -1).all()
    for i in np.flatnonzero(inside)[:15]:
        assert full[i] == pytest.approx(_brute_line(lon[i], lat[i], [line], full[i]), abs=0.05)


# ----------------------------------------------------------------- zones


def test_oblast_boundary_distance_against_brute_force() -> None:
    rng = np.random.default_rng(3)
    zones = ZoneIndex(OBLASTS)
    lon = rng.uniform(UKRAINE_BBOX[0], UKRAINE_BBOX[2], 40)
    lat = rng.uniform(UKRAINE_BBOX[1], UKRAINE_BBOX[3], 40)
    got, which = zones.distance_to_boundary(lon, lat)
    free, free_which = distance_to_boundaries(lon, lat, OBLASTS)
    np.testing.assert_array_equal(got, free)
    np.testing.assert_array_equal(which, free_which)
    boundaries = [shapely.boundary(z) for z in OBLASTS]
    for i in range(len(lon)):
        reference = _brute_line(lon[i], lat[i], boundaries, float(got[i]))
        assert abs(got[i] - reference) < 0.6, i  # 1 m sampling, 2.5 cm model
        own = _brute_line(lon[i], lat[i], [boundaries[which[i]]], float(got[i]))
        assert abs(got[i] - own) < 0.6, i
    near, _ = zones.distance_to_boundary(lon, lat, within_m=10_000.0)
    inside = got <= 10_000.0
    np.testing.assert_array_equal(near[inside], got[inside])
    assert np.isinf(near[~inside]).all()


def test_locate_agrees_with_shapely() -> None:
    rng = np.random.default_rng(5)
    lon = rng.uniform(UKRAINE_BBOX[0] - 1, UKRAINE_BBOX[2] + 1, 30_000)
    lat = rng.uniform(UKRAINE_BBOX[1] - 1, UKRAINE_BBOX[3] + 1, 30_000)
    got = locate_in_zones(lon, lat, OBLASTS)
    want = np.full(len(lon), -1)
    for i in reversed(range(len(OBLASTS))):  # lowest index wins
        want[shapely.contains_xy(OBLASTS[i], lon, lat)] = i
    np.testing.assert_array_equal(got, want)
    assert (got >= 0).mean() > 0.3 and (got == -1).mean() > 0.3


def test_locate_point_on_a_shared_border_goes_to_the_lowest_index() -> None:
    zones = ZoneIndex(OBLASTS)
    xy = shapely.get_coordinates(OBLASTS[5])
    touching = [
        (k, j)
        for k in range(len(xy))
        for j in range(len(OBLASTS))
        if j != 5 and shapely.intersects_xy(OBLASTS[j], xy[k, 0], xy[k, 1])
    ]
    assert touching
    k, j = touching[0]
    assert zones.locate([xy[k, 0]], [xy[k, 1]]).tolist() == [min(5, j)]
    assert zones.distance_to_boundary([xy[k, 0]], [xy[k, 1]])[0].tolist() == [0.0]


def test_locate_with_holes_and_multipolygons() -> None:
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    multi = shapely.MultiPolygon([shapely.box(10, 10, 11, 11), shapely.box(2, 2, 2.5, 2.5)])
    at = [0.5, 1.5, 2.0, 2.2, 10.5, 20.0]  # on the diagonal; (2, 2) is a corner of `multi`
    assert locate_in_zones(at, at, [ring, multi]).tolist() == [0, -1, 1, 1, 1, -1]
    # The distance to the hole's edge counts: (2, 2) is 1° of latitude from it.
    d, which = distance_to_boundaries([2.0], [2.0], [ring])
    _, _, want = GEOD.inv(2.0, 2.0, 2.0, 1.0)
    assert which.tolist() == [0]
    assert d[0] == pytest.approx(want, abs=0.05)


# ----------------------------------------------------------------- properties

lons = st.floats(-180.0, 180.0, allow_nan=False)
lats = st.floats(-90.0, 90.0, allow_nan=False)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[F8, F8, F8, F8]:
    """A few sites anywhere (often near the poles or ±180°) and events, many close to a site."""
    centre = draw(
        st.sampled_from([(30.0, 48.0), (179.9, 10.0), (-179.9, -60.0), (0.0, 89.9), None])
    )
    m = draw(st.integers(1, 8))
    if centre is None:
        sites = draw(st.lists(st.tuples(lons, lats), min_size=m, max_size=m))
    else:
        offsets = st.tuples(st.floats(0, 360), st.floats(0, 300_000))
        sites = []
        for az, dist in draw(st.lists(offsets, min_size=m, max_size=m)):
            x, y, _ = GEOD.fwd(centre[0], centre[1], az, dist)
            sites.append((float(x), float(y)))
    slon, slat = np.array(sites).T
    n = draw(st.integers(0, 30))
    events = []
    for _ in range(n):
        if draw(st.booleans()):
            events.append(draw(st.tuples(lons, lats)))
        else:
            k = draw(st.integers(0, m - 1))
            az, dist = draw(st.floats(0, 360)), draw(st.floats(0, 20_000))
            x, y, _ = GEOD.fwd(slon[k], slat[k], az, dist)
            events.append((float(x), float(y)))
    lon, lat = np.array(events, dtype=np.float64).reshape(-1, 2).T
    return lon.copy(), lat.copy(), slon.copy(), slat.copy()


@settings(max_examples=150, deadline=None)
@given(scenes(), st.floats(0.0, 30_000.0))
def test_points_equal_brute_force(scene: tuple[F8, F8, F8, F8], within: float) -> None:
    lon, lat, slon, slat = scene
    index = SiteIndex(slon, slat)
    got, which = index.distance(lon, lat)
    if len(lon):
        want, want_which = _brute_points(lon, lat, slon, slat)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
        np.testing.assert_array_equal(which, want_which)
    near, near_which = index.distance(lon, lat, within_m=within)
    inside = got <= within
    np.testing.assert_array_equal(near[inside], got[inside])
    np.testing.assert_array_equal(near_which[inside], which[inside])
    assert np.isinf(near[~inside]).all() and (near_which[~inside] == -1).all()


@settings(max_examples=60, deadline=None)
@given(scenes(), st.randoms(use_true_random=False), st.integers(1, 7))
def test_order_and_batching_do_not_matter(
    scene: tuple[F8, F8, F8, F8], rnd: Any, batch: int
) -> None:
    lon, lat, slon, slat = scene
    w = np.array([rnd.choice([500.0, 5_000.0, np.inf]) for _ in lon])
    indexes: list[Any] = [SiteIndex(slon, slat)]
    line = shapely.LineString(np.column_stack([slon, slat])) if len(slon) > 1 else None
    if line is not None and shapely.is_valid(line):
        indexes.append(LineIndex([line]))
    for index in indexes:
        whole = index.distance(lon, lat, within_m=w)
        order = list(range(len(lon)))
        rnd.shuffle(order)
        shuffled = index.distance(lon[order], lat[order], within_m=w[order])
        np.testing.assert_array_equal(shuffled[0], whole[0][order])
        np.testing.assert_array_equal(shuffled[1], whole[1][order])
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(geodesy, "_BATCH", batch)
            small = index.distance(lon, lat, within_m=w)
        np.testing.assert_array_equal(small[0], whole[0])
        np.testing.assert_array_equal(small[1], whole[1])
        cut = rnd.randint(0, len(lon))
        parts = [
            index.distance(lon[s], lat[s], within_m=w[s]) for s in (slice(0, cut), slice(cut, None))
        ]
        np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), whole[0])
        np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), whole[1])


@settings(max_examples=25, deadline=None)
@given(scenes(), st.randoms(use_true_random=False))
def test_coarse_grid_changes_no_result(scene: tuple[F8, F8, F8, F8], rnd: Any) -> None:
    lon, lat, slon, slat = scene
    w = np.array([rnd.choice([0.0, 500.0, 5_000.0, 30_000.0, 60_000.0, np.inf]) for _ in lon])
    makers: list[Any] = [lambda: SiteIndex(slon, slat)]
    line = shapely.LineString(np.column_stack([slon, slat])) if len(slon) > 1 else None
    if line is not None and shapely.is_valid(line):
        makers.append(lambda: LineIndex([line]))
    for make in makers:
        plain = make()
        want = plain.distance(lon, lat, within_m=w)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(geodesy, "_GRID_MIN_EVENTS", 0)
            mp.setattr(_geosearch, "_GRID_MAX_CELLS", rnd.choice([64, 4096]))
            gridded = make()
            got = gridded.distance(lon, lat, within_m=w)
        assert plain._grid is None
        assert gridded._grid is not None or not len(lon)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_coarse_grid_bounds_are_real_on_the_contact_line() -> None:
    rng = np.random.default_rng(5)
    lon = rng.uniform(30.0, 40.0, 30_000)
    lat = rng.uniform(45.5, 51.5, 30_000)
    index = LineIndex([shapely.LineString(CONTACT)])
    full, which = index.distance(lon, lat)  # unbounded: the grid is not built
    assert index._grid is None
    near, near_which = index.distance(lon, lat, within_m=15_000.0)
    grid = index._grid
    assert grid is not None
    bound = grid.lb[grid.cells(lon, lat)]
    assert (bound <= full).all()  # a lower bound of every event's distance
    set_aside = bound > 15_000.0
    assert set_aside.sum() > 20_000  # most events never reach the search
    inside = full <= 15_000.0
    np.testing.assert_array_equal(near[inside], full[inside])
    np.testing.assert_array_equal(near_which[inside], which[inside])
    assert np.isinf(near[~inside]).all() and (near_which[~inside] == -1).all()


@st.composite
def small_lines(draw: st.DrawFn) -> tuple[Any, F8, F8]:
    """A short random polyline somewhere on Earth and events around it."""
    x0 = draw(st.floats(-175.0, 175.0))
    y0 = draw(st.floats(-85.0, 85.0))
    steps = draw(
        st.lists(st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3)), min_size=1, max_size=4)
    )
    xy = np.cumsum(np.array([(x0, y0), *steps]), axis=0)
    xy[:, 1] = np.clip(xy[:, 1], -89.0, 89.0)
    if np.all(xy == xy[0]):
        xy[1, 0] += 0.01
    n = draw(st.integers(1, 6))
    ev = []
    for _ in range(n):
        k = draw(st.integers(0, len(xy) - 1))
        az, dist = draw(st.floats(0, 360)), draw(st.floats(0, 40_000))
        x, y, _ = GEOD.fwd(xy[k, 0], xy[k, 1], az, dist)
        ev.append((float(x), float(y)))
    lon, lat = np.array(ev).T
    return shapely.LineString(xy), lon.copy(), lat.copy()


@settings(max_examples=40, deadline=None)
@given(small_lines())
def test_lines_against_brute_force(case: tuple[Any, F8, F8]) -> None:
    line, lon, lat = case
    got, which = LineIndex([line]).distance(lon, lat)
    assert (which == 0).all()
    xy = shapely.get_coordinates(line)
    for i in range(len(lon)):
        reference = _brute_line(lon[i], lat[i], [line], float(got[i]))
        assert abs(got[i] - reference) < 0.6
        # Never farther than a vertex.
        _, _, to_vertex = GEOD.inv(
            xy[:, 0], xy[:, 1], np.full(len(xy), lon[i]), np.full(len(xy), lat[i])
        )
        assert got[i] <= np.min(to_vertex) + 1e-6


@settings(max_examples=80, deadline=None)
@given(lons, st.floats(-89.99, 89.99), st.floats(0, 2 * np.pi), st.floats(0.0, 1.0))
def test_element_bow_stays_under_the_model_bound(
    x: float, y: float, angle: float, f: float
) -> None:
    # A 0.01° lon/lat-straight segment and its geodesic are at most 2.5 cm apart.
    dx, dy = 0.01 * np.cos(angle), 0.01 * np.sin(angle)
    if not (-180 <= x + dx <= 180 and -90 <= y + dy <= 90):
        return
    seg = shapely.LineString([(x, y), (x + dx, y + dy)])
    got, _ = LineIndex([seg]).distance([x + f * dx], [y + f * dy])
    assert got[0] <= 0.025


# ----------------------------------------------------------------- edges and errors


def test_empty_inputs() -> None:
    empty = np.zeros(0)
    for result in (
        distance_to_points(empty, empty, [30.0], [50.0]),
        distance_to_lines(empty, empty, [shapely.LineString(CONTACT)]),
        distance_to_boundaries(empty, empty, OBLASTS[:2]),
    ):
        assert result[0].shape == (0,) and result[0].dtype == np.float64
        assert result[1].shape == (0,) and result[1].dtype == np.int64
    assert locate_in_zones(empty, empty, OBLASTS).shape == (0,)
    for d, i in (
        distance_to_points([30.0, 31.0], [50.0, 50.0], empty, empty),
        distance_to_lines([30.0, 31.0], [50.0, 50.0], []),
        distance_to_boundaries([30.0, 31.0], [50.0, 50.0], []),
    ):
        assert np.isinf(d).all() and i.tolist() == [-1, -1]
    assert locate_in_zones([30.0], [50.0], []).tolist() == [-1]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: distance_to_points([200.0], [50.0], [30.0], [50.0]), "events[0]"),
        (lambda: distance_to_points([30.0, 1.0], [50.0], [30.0], [50.0]), "events"),
        (lambda: distance_to_points([30.0], [np.nan], [30.0], [50.0]), "events[0]"),
        (lambda: distance_to_points([30.0], [50.0], [30.0], [95.0]), "sites[0]"),
        (lambda: distance_to_points([30.0], [50.0], [30.0], [50.0], within_m=-1.0), "within_m"),
        (
            lambda: distance_to_points([30.0], [50.0], [30.0], [50.0], within_m=[1.0, 2.0]),
            "within_m",
        ),
        (lambda: distance_to_points([30.0], [50.0], [30.0], [50.0], within_m=np.nan), "within_m"),
        (lambda: distance_to_points(["x"], [50.0], [30.0], [50.0]), "events"),
        (lambda: distance_to_lines([30.0], [50.0], [shapely.Point(1, 1)]), "lines[0]"),
        (
            lambda: distance_to_lines([30.0], [50.0], [shapely.LineString([(1, 1), (1, 1)])]),
            "lines[0]",
        ),
        (lambda: distance_to_lines([30.0], [50.0], ["LINESTRING (0 0, 1 1)"]), "lines[0]"),
        (lambda: locate_in_zones([30.0], [50.0], [shapely.LineString(CONTACT)]), "zones[0]"),
        (
            lambda: locate_in_zones(
                [30.0], [50.0], [shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])]
            ),
            "zones[0]",
        ),
        (lambda: locate_in_zones([30.0], [50.0], [shapely.Polygon()]), "zones[0]"),
    ],
)
def test_bad_input_names_the_field(call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        call()
    assert err.value.field == field
