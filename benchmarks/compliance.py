"""Compliance benchmark: events ruled against the example agreement per second (issue 5).

Measures, in one run on one core, over N SYNTHETIC point events (default 1,000,000;
seeded, reproducible; none is a real observation) against the example agreement
(its 64 GPPD power plants, 27 oblast polygons and the synthetic contact line):

  * ours: ``truce.compliance.evaluate.evaluate(agreement, events)`` — every term
    (ceasefire.general, moratorium.energy per site list, withdrawal.heavy-weapons,
    window.repair.znpp, energy.package), geodesic metres on the WGS84 ellipsoid;
    and the moratorium alone (the same agreement with that term only);
  * peer: a straightforward geopandas pipeline computing the same rulings —
    events as a GeoDataFrame (EPSG:4326) projected to an azimuthal equidistant
    CRS centred on Ukraine, ``sjoin_nearest(distance_col=...)`` against each site
    list's plants, against the contact line (cut into its segments) and against
    the ZNPP site, then the same rules (``d + u <= L`` certainly within,
    ``d - u > L`` certainly outside, else possibly; time within / partly within /
    outside the period; category filter; all_of = worst per site list);
  * the oblast lookup (no term of this agreement uses a zone, so it is not part of
    ``evaluate``): ours ``geodesy.ZoneIndex.locate`` vs ``geopandas.sjoin``
    (``within``), reported on its own row;
  * agreement: per-event rulings of every term and list, ours vs geopandas (and
    the distances each reports: ceasefire's to the line, the others'); every
    disagreement must lie where the two distances straddle a threshold
    (``L - u`` or ``L + u``), i.e. within |d_ours - d_geopandas| of it;
  * peak memory of each, in a fresh fork of the process per measure: the rise of
    peak RSS (VmHWM, reset through /proc/self/clear_refs) above RSS at its start,
    and, in other forks, the tracemalloc peak (Python and numpy allocations).

Targets: ours >= 1,000,000 events/s ("1M events/s class") and faster than geopandas.

Usage: .venv/bin/python benchmarks/compliance.py [--quick] [--events N] [--runs N]
       [--seed N] [--no-tracemalloc]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from truce.agreement import (
    Agreement,
    AllOf,
    Ceasefire,
    EnergyMoratorium,
    Period,
    Window,
    Withdrawal,
    load_agreement,
)
from truce.compliance import geodesy
from truce.compliance.evaluate import Results, evaluate
from truce.compliance.events import Codes, Events
from truce.mission import example_agreement_path

TARGET_RATE = 1_000_000
BAND_REL, BAND_ABS = 0.005, 1.0  # ours vs geopandas distances: 0.5% + 1 m (see Check)
# Azimuthal equidistant on the WGS84 ellipsoid, centred on Ukraine (lon 22.1..40.2,
# lat 44.2..52.4): distances from the centre are exact and the scale error elsewhere
# grows as (c/R)^2/6, ~0.2% at Ukraine's edges, whereas UTM 36N (EPSG:32636, central
# meridian 33E) reaches ~0.8% at the western border (22E).
METRIC_CRS = "+proj=aeqd +lat_0=48.3 +lon_0=31.2 +datum=WGS84 +units=m +no_defs"
T0 = datetime(2025, 3, 10, tzinfo=UTC).timestamp()
T1 = datetime(2025, 4, 25, tzinfo=UTC).timestamp()
UNCERTAINTIES = np.array([0.0, 100.0, 500.0, 2000.0])
# Categories drawn (weights): the agreement's own, weapon sightings, and some no
# term lists (restriction_of_movement, uav_jamming, ...).
CATEGORIES = {
    "explosion": 0.24,
    "projectile_in_flight": 0.07,
    "damage_civilian_object": 0.09,
    "muzzle_flash": 0.05,
    "bursts_of_fire": 0.05,
    "shots": 0.05,
    "weapon_sighting": 0.25,
    "restriction_of_movement": 0.07,
    "uav_jamming": 0.05,
    "illumination_flare": 0.04,
    "civilian_casualty": 0.04,
}
# Weapon classes of sightings: the withdrawal's own, others, and none given.
WEAPONS = {
    "artillery_100mm_plus": 0.2,
    "mlrs": 0.15,
    "tank": 0.15,
    "mortar_120mm": 0.1,
    "small_arms": 0.1,
    "armoured_vehicle": 0.1,
    "uav": 0.1,
    "": 0.1,
}

F8 = NDArray[np.float64]
I8 = NDArray[np.int8]
# (term, list) -> (status per event or -1, distance (inf: farther than searched), searched)
Rulings = dict[tuple[str, str], tuple[I8, F8, F8]]


# --------------------------------------------------------------------------- data


def synthetic_events(agreement: Agreement, n: int, seed: int) -> Events:
    """``n`` reproducible SYNTHETIC events: 40% within 0-20 km of a random GPPD plant,
    30% within 0-40 km of a random point of the contact line, 30% uniform in the
    oblasts' bounding box."""
    rng = np.random.default_rng(seed)
    n_site = int(n * 0.4)
    n_line = int(n * 0.3)
    n_box = n - n_site - n_line
    sites = agreement.layer("gppd").features
    slon = np.array([f.geometry.x for f in sites])
    slat = np.array([f.geometry.y for f in sites])
    pick = rng.integers(0, len(sites), n_site)
    az = rng.uniform(-180.0, 180.0, n_site)
    lon1, lat1, _ = geodesy.GEOD.fwd(slon[pick], slat[pick], az, rng.uniform(0, 20_000, n_site))
    (line,) = [f.geometry for f in agreement.layer("contact-line").features]
    on = shapely.line_interpolate_point(line, rng.uniform(0.0, 1.0, n_line), normalized=True)
    az = rng.uniform(-180.0, 180.0, n_line)
    lon2, lat2, _ = geodesy.GEOD.fwd(
        shapely.get_x(on), shapely.get_y(on), az, rng.uniform(0, 40_000, n_line)
    )
    x0, y0, x1, y1 = shapely.total_bounds(agreement.layer("oblasts").geometries())
    lon3, lat3 = rng.uniform(x0, x1, n_box), rng.uniform(y0, y1, n_box)
    lon = np.concatenate([lon1, lon2, lon3])
    lat = np.concatenate([lat1, lat2, lat3])
    order = rng.permutation(n)  # mix the three populations
    lon, lat = lon[order], lat[order]

    names = np.array(list(CATEGORIES), dtype=object)
    category = names[rng.choice(len(names), n, p=list(CATEGORIES.values()))]
    wnames = np.array(list(WEAPONS), dtype=object)
    weapon = wnames[rng.choice(len(wnames), n, p=list(WEAPONS.values()))]
    weapon[category != "weapon_sighting"] = ""
    start = rng.uniform(T0, T1, n).round()
    end = start + np.exp(rng.uniform(np.log(60.0), np.log(86_400.0), n)).round()
    return Events(
        record_id=np.array([f"synthetic-{i:07d}" for i in range(n)], dtype=object),
        seq=np.arange(1, n + 1, dtype=np.int64),
        kind=np.full(n, "observation", dtype=object),
        category=Codes.of(category),
        weapon_class=Codes.of(weapon),
        lon=np.ascontiguousarray(lon),
        lat=np.ascontiguousarray(lat),
        uncertainty_m=UNCERTAINTIES[rng.integers(0, len(UNCERTAINTIES), n)],
        start=start,
        end=end,
    )


def only_term(agreement: Agreement, term_id: str) -> Agreement:
    """The same agreement with one term only (to time that term's evaluation)."""
    doc = agreement.to_document()
    doc["terms"] = [t for t in doc["terms"] if t["id"] == term_id]
    return Agreement.from_document(doc)


# --------------------------------------------------------------------------- ours


def ours_rulings(agreement: Agreement, results: Results, n: int) -> Rulings:
    """Per (term, list): status per event (-1 where the term does not concern it), distance
    (inf: farther than the searched radius) and that radius."""
    out: Rulings = {}
    term_ids, list_ids = results.term_id.labels(), results.list_id.labels()
    for term in agreement.terms:
        rows = term_ids == term.id
        for list_id in sorted(set(list_ids[rows])) or [""]:
            sel = np.flatnonzero(rows & (list_ids == list_id))
            status = np.full(n, -1, dtype=np.int8)
            dist = np.full(n, np.nan)
            searched = np.full(n, np.nan)
            status[results.event[sel]] = results.status[sel]
            dist[results.event[sel]] = results.distance_m[sel]
            searched[results.event[sel]] = results.searched_m[sel]
            out[(term.id, str(list_id))] = (status, dist, searched)
    return out


# --------------------------------------------------------------------------- peer


def _time(start: F8, end: F8, periods: tuple[Period, ...]) -> I8:
    status = np.zeros(len(start), dtype=np.int8)
    for p in periods:
        ps = p.start.timestamp()
        pe = np.inf if p.end is None else p.end.timestamp()
        here = np.where(
            (start >= ps) & (end <= pe), 2, np.where((start < pe) & (end > ps), 1, 0)
        ).astype(np.int8)
        status = np.maximum(status, here)
    return status


def _space(d: F8, u: F8, limit: float) -> I8:
    return np.where(d + u <= limit, 2, np.where(d - u > limit, 0, 1)).astype(np.int8)


def _nearest(points: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> F8:
    """Planar distance (m, metric CRS) from each event to the nearest feature."""
    j = gpd.sjoin_nearest(points, features, how="left", distance_col="d")
    j = j[~j.index.duplicated(keep="first")]  # ties: one row per event
    return j["d"].reindex(points.index).to_numpy()


def _metric(lon: F8 | list[float], lat: F8 | list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326).to_crs(METRIC_CRS)


class Peer:
    """The geopandas pipeline (the agreement's geometry prepared once, like ours)."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.sites: dict[tuple[str, str], gpd.GeoDataFrame] = {}
        for term in agreement.terms:
            if isinstance(term, EnergyMoratorium | Window):
                for list_id, sites in agreement.protected_sites(term).items():
                    key = "" if list_id == term.id else list_id
                    self.sites[(term.id, key)] = _metric(
                        [s.lon for s in sites], [s.lat for s in sites]
                    )
        # The contact line is straight in lon/lat between its vertices (RFC 7946,
        # ours' model): densified to 0.01 deg before projecting, as ours does, and
        # cut into its two-point segments so the spatial index sees each.
        lines = [f.geometry for f in agreement.layer("contact-line").features]
        dense = shapely.segmentize(np.asarray(lines, dtype=object), geodesy.MAX_SEGMENT_DEG)
        xy, part = shapely.get_coordinates(dense, return_index=True)
        a = np.flatnonzero(part[1:] == part[:-1])
        segs = shapely.linestrings(
            np.stack([xy[a], xy[a + 1]], axis=1).reshape(-1, 2),
            indices=np.repeat(np.arange(len(a)), 2),
        )
        self.line = gpd.GeoDataFrame(geometry=segs, crs=4326).to_crs(METRIC_CRS)
        self.oblasts = gpd.GeoDataFrame(
            geometry=list(agreement.layer("oblasts").geometries()), crs=4326
        )

    def rulings(self, ev: Events) -> Rulings:
        """Every term's rulings per event, as ``evaluate`` defines them."""
        n = len(ev)
        pts = _metric(ev.lon, ev.lat)
        u = ev.uncertainty_m
        line_d: F8 | None = None
        none = np.full(n, np.nan)  # the peer measures every distance in full
        out: Rulings = {}
        for term in self.agreement.terms:
            if isinstance(term, Ceasefire):
                concerned = ev.category.isin(term.events)
                status = _time(ev.start, ev.end, term.periods)  # anywhere: no zone
                if line_d is None:
                    line_d = _nearest(pts, self.line)
                out[(term.id, "")] = (np.where(concerned, status, -1).astype(np.int8), line_d, none)
            elif isinstance(term, EnergyMoratorium | Window):
                concerned = ev.category.isin(term.events)
                time_s = _time(ev.start, ev.end, term.periods)
                limit = float(term.radius_km or 0.0) * 1000.0
                for (tid, key), sites in self.sites.items():
                    if tid == term.id:
                        d = _nearest(pts, sites)
                        status = np.minimum(time_s, _space(d, u, limit))
                        out[(tid, key)] = (np.where(concerned, status, -1).astype(np.int8), d, none)
            elif isinstance(term, Withdrawal):
                concerned = ev.category.isin(["weapon_sighting"]) & ev.weapon_class.isin(
                    term.weapon_classes
                )
                if line_d is None:
                    line_d = _nearest(pts, self.line)
                space = _space(line_d, u, term.distance_km * 1000.0)
                status = np.minimum(_time(ev.start, ev.end, term.periods), space)
                out[(term.id, "")] = (np.where(concerned, status, -1).astype(np.int8), line_d, none)
            elif isinstance(term, AllOf):
                kids = {k: v for k, v in out.items() if k[0] in term.children}
                lists = sorted({k[1] for k in kids if k[1]}) or [""]
                for key in lists:
                    picked = [kids.get((c, key), kids.get((c, ""))) for c in term.children]
                    stack = np.stack([p[0] for p in picked if p is not None])
                    status = np.where((stack >= 0).any(axis=0), stack.max(axis=0), -1)
                    out[(term.id, key)] = (status.astype(np.int8), none, none)
            else:
                raise SystemExit(f"peer: no rule for term type {term.type!r}")
        return out

    def region(self, ev: Events) -> NDArray[np.int64]:
        """Index of the oblast containing each event (lowest if several), -1 if none."""
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(ev.lon, ev.lat), crs=4326)
        j = gpd.sjoin(pts, self.oblasts, how="left", predicate="within")
        first = j["index_right"].groupby(level=0).min()
        return first.fillna(-1).to_numpy(dtype=np.int64)


# --------------------------------------------------------------------------- measuring


def _status_kb() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()`` and its wall time (s)."""
    gc.collect()
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def peak_memory(fn: Callable[[], Any], *, traced: bool = False) -> float:
    """Peak memory (MiB) of ``fn()`` run in a forked child of this process.

    Default: the rise of the child's peak RSS (VmHWM, reset through
    /proc/self/clear_refs) above its RSS at the start — everything, GEOS and PROJ
    included. ``traced``: the tracemalloc peak instead (Python and numpy
    allocations only). A fresh child per measure, so no heap left over by an
    earlier measure is reused.
    """
    sys.stdout.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        value = float("nan")
        try:
            gc.collect()
            if traced:
                tracemalloc.start()
                fn()
                value = tracemalloc.get_traced_memory()[1] / 2**20
            else:
                Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
                rss0 = _status_kb()["VmRSS"]
                fn()
                value = (_status_kb()["VmHWM"] - rss0) / 1024
        finally:
            os.write(w, repr(value).encode())
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    os.waitpid(pid, 0)
    return float(text)


class Check:
    """Agreement of ours and the peer's rulings and distances, per (term, list).

    A distance pair is *in band* when both are finite and differ by at most
    ``BAND_REL`` of the larger plus ``BAND_ABS`` (the azimuthal equidistant
    projection's scale error over Ukraine is < 0.2%), or when ours is "farther
    than the searched radius R" and the peer's is at least R less that band;
    events ours did not measure (time outside the term's periods) are only
    compared by ruling. A
    differing ruling is *explained* when its distances are in band and a
    threshold (``L - u`` or ``L + u``) lies between them; a composite's, when a
    child's is explained.
    """

    def __init__(self, agreement: Agreement, ours: Rulings, peer: Rulings, u: F8) -> None:
        self.rows: list[str] = []
        self.unexplained = 0
        self.out_of_band = 0
        self.missing = sorted(set(ours) ^ set(peer))
        explained: dict[tuple[str, str], NDArray[np.bool_]] = {}
        for term in agreement.terms:  # children come before their composite
            for key in sorted(k for k in ours if k[0] == term.id and k in peer):
                (so, do, searched), (sp, dp, _) = ours[key], peer[key]
                concerned = so >= 0
                differ = so != sp
                # NaN in ours: not measured, because the event's time is outside the
                # term's periods (its ruling is no_breach whatever the distance).
                measured = concerned & ~np.isnan(do)
                beyond = measured & np.isposinf(do) & np.isfinite(searched)
                with np.errstate(invalid="ignore"):
                    delta = np.abs(do - dp)
                    band = np.isfinite(delta) & (delta <= BAND_REL * np.fmax(do, dp) + BAND_ABS)
                    band |= beyond & (dp >= searched * (1 - BAND_REL) - BAND_ABS)
                ok = np.zeros(len(so), dtype=bool)
                gap = np.full(len(so), np.nan)
                limit = _limit(term)
                if limit is not None:
                    lo, hi = np.fmin(do, dp), np.fmax(do, dp)
                    for t in (limit - u, limit + u):
                        ok |= differ & band & (so >= 0) & (sp >= 0) & (lo <= t) & (t <= hi)
                        gap = np.fmin(gap, np.abs(np.where(beyond, dp, do) - t))
                elif term.children:
                    for child in term.children:
                        for ck in ((child, key[1]), (child, "")):
                            if ck in explained:
                                ok |= differ & explained[ck]
                                break
                explained[key] = ok
                n_diff, n_ok = int(differ.sum()), int(ok.sum())
                self.unexplained += n_diff - n_ok
                n_out = int((measured & ~band).sum())
                self.out_of_band += n_out
                both = measured & band & ~beyond
                far = both & (do > 1000.0)
                dist = ""
                if both.any():
                    dist = f"{delta[both].max():.1f} m"
                    if far.any():
                        dist += f" ({(delta[far] / do[far]).max():.3%})"
                if n_out:
                    bad = np.flatnonzero(measured & ~band)[0]
                    dist += f"; {n_out:,} OUT OF BAND (e.g. ours {do[bad]}, geopandas {dp[bad]})"
                worst_gap = f"{np.nanmax(gap[differ]):.1f} m" if n_diff and limit else ""
                n_con = int(concerned.sum())
                self.rows.append(
                    f"| {key[0]} | {key[1] or '-'} | {n_con:,} | {int(beyond.sum()):,} "
                    f"| {n_con - n_diff:,} | {n_diff:,} | {n_ok:,} | {worst_gap} | {dist} |"
                )


def _limit(term: Any) -> float | None:
    """The distance limit (m) a term's rulings compare with, if any."""
    if isinstance(term, EnergyMoratorium | Window) and term.radius_km is not None:
        return float(term.radius_km) * 1000.0
    if isinstance(term, Withdrawal):
        return float(term.distance_km) * 1000.0
    return None


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: 100k events, one run")
    ap.add_argument("--events", type=int, default=None, help="events (default 1,000,000)")
    ap.add_argument("--runs", type=int, default=None, help="timed runs each, median (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc pass")
    args = ap.parse_args()
    n = args.events or (100_000 if args.quick else 1_000_000)
    runs = args.runs or (1 if args.quick else 3)
    started = time.perf_counter()

    agreement = load_agreement(example_agreement_path())
    moratorium = only_term(agreement, "moratorium.energy")
    events = synthetic_events(agreement, n, args.seed)
    zones = geodesy.ZoneIndex(list(agreement.layer("oblasts").geometries()))
    peer, peer_setup = timed(lambda: Peer(agreement))
    peer_mor = Peer(moratorium)

    # Peak memory first, each in a fresh fork of this process (events and geometry ready).
    mem = {
        "ours": peak_memory(lambda: evaluate(agreement, events)),
        "peer": peak_memory(lambda: peer.rulings(events)),
        "ours_zone": peak_memory(lambda: zones.locate(events.lon, events.lat)),
        "peer_zone": peak_memory(lambda: peer.region(events)),
    }
    if not args.no_tracemalloc:
        mem["ours_traced"] = peak_memory(lambda: evaluate(agreement, events), traced=True)
        mem["peer_traced"] = peak_memory(lambda: peer.rulings(events), traced=True)

    # Ours builds its indexes (STRtrees, coarse grids) on the first run, once per
    # agreement version; the peer prepares its GeoDataFrames in Peer(). Both timed
    # on their own, outside the timed runs.
    ours_setup = timed(lambda: evaluate(agreement, events))[1]
    evaluate(moratorium, events)  # the same for the moratorium-only agreement

    # Timed runs, ours and the peer interleaved (this machine drifts within a run).
    t_ours, t_mor, t_zone, t_peer, t_pmor, t_preg = [], [], [], [], [], []
    results: Results | None = None
    peer_out: Rulings = {}
    zone_ours = zone_peer = np.zeros(0, dtype=np.int64)
    for _ in range(runs):
        results, dt = timed(lambda: evaluate(agreement, events))
        t_ours.append(dt)
        t_mor.append(timed(lambda: evaluate(moratorium, events))[1])
        zone_ours, dt = timed(lambda: zones.locate(events.lon, events.lat))
        t_zone.append(dt)
        peer_out, dt = timed(lambda: peer.rulings(events))
        t_peer.append(dt)
        t_pmor.append(timed(lambda: peer_mor.rulings(events))[1])
        zone_peer, dt = timed(lambda: peer.region(events))
        t_preg.append(dt)
    assert results is not None

    ours_out = ours_rulings(agreement, results, n)
    check = Check(agreement, ours_out, peer_out, events.uncertainty_m)
    zone_agree = int((zone_ours == zone_peer).sum())

    def rate(ts: list[float]) -> float:
        return n / statistics.median(ts)

    r_ours, r_peer = rate(t_ours), rate(t_peer)
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
        f"geopandas {gpd.__version__}, shapely {shapely.__version__}, pandas {pd.__version__}"
    )
    cats = {str(c): int((events.category.labels() == c).sum()) for c in CATEGORIES}
    print(
        f"events: {n:,} SYNTHETIC (seed {args.seed}): 40% within 0-20 km of a GPPD plant, "
        "30% within 0-40 km of the synthetic contact line, 30% uniform in the oblasts' box; "
        "uncertainty 0/100/500/2000 m; intervals of 60 s..1 day over 2025-03-10..2025-04-25"
    )
    print("categories: " + ", ".join(f"{k} {v:,}" for k, v in cats.items()))
    print(
        f"agreement: {agreement.id} v{agreement.version}, terms "
        + ", ".join(t.id for t in agreement.terms)
        + f"; result rows (event, term, list) {len(results):,}"
    )
    print(f"peer CRS: {METRIC_CRS}")
    print(f"timed runs: {runs}, interleaved, medians shown")
    print()
    print("| measure | ours events/s | geopandas events/s | ratio ours/geopandas |")
    print("|---|---:|---:|---:|")
    rows = [
        ("evaluate: every term of the agreement", t_ours, t_peer),
        ("moratorium.energy only (2 site lists)", t_mor, t_pmor),
        ("oblast lookup (not used by any term)", t_zone, t_preg),
    ]
    for label, a, b in rows:
        print(f"| {label} | {rate(a):,.0f} | {rate(b):,.0f} | {rate(a) / rate(b):.1f}x |")
    print()
    print(
        f"set-up, once per agreement version, not in the runs: ours {ours_setup:.2f} s "
        f"(first evaluate: builds the indexes and coarse grids, then evaluates), "
        f"geopandas {peer_setup:.2f} s (projects the sites and the line)"
    )
    print(
        "seconds per run: ours "
        + ", ".join(f"{t:.2f}" for t in t_ours)
        + "; geopandas "
        + ", ".join(f"{t:.2f}" for t in t_peer)
        + "; moratorium ours "
        + ", ".join(f"{t:.2f}" for t in t_mor)
        + ", geopandas "
        + ", ".join(f"{t:.2f}" for t in t_pmor)
    )
    print(
        "peak memory, each in a fresh fork: rise of peak RSS (VmHWM) above RSS at start — "
        f"all terms: ours {mem['ours']:,.0f} MiB, geopandas {mem['peer']:,.0f} MiB; "
        f"oblast lookup: ours {mem['ours_zone']:,.0f} MiB, geopandas {mem['peer_zone']:,.0f} MiB"
    )
    if "ours_traced" in mem:
        print(
            "tracemalloc peak (Python and numpy allocations, not GEOS/PROJ's), all terms: "
            f"ours {mem['ours_traced']:,.0f} MiB, geopandas {mem['peer_traced']:,.0f} MiB"
        )
    print()
    print(
        "| term | list | events concerned | ours: farther than searched | same ruling "
        "| different | of which across a threshold | farthest difference from L -/+ u "
        "| max abs(d_ours - d_geopandas) (max relative, d > 1 km) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in check.rows:
        print(row)
    for key in check.missing:
        print(f"ruling {key} on one side only")
    print(f"oblast lookup: same oblast for {zone_agree:,} of {n:,} events")
    print()
    agree_ok = (
        check.unexplained == 0 and check.out_of_band == 0 and not check.missing and zone_agree == n
    )
    rate_ok = r_ours >= TARGET_RATE
    faster_ok = r_ours > r_peer
    print(
        "check rulings agree (differences only across a threshold, distances within "
        f"{BAND_REL:.1%} + {BAND_ABS:g} m): {'ok' if agree_ok else 'FAILED'} "
        f"({check.unexplained} unexplained, {check.out_of_band} distances out of band)"
    )
    print(
        f"target >= {TARGET_RATE:,} events/s (evaluate, every term): "
        f"{'met' if rate_ok else 'MISSED'} ({r_ours:,.0f})"
    )
    print(
        f"target faster than the geopandas pipeline: {'met' if faster_ok else 'MISSED'} "
        f"({r_ours / r_peer:.1f}x)"
    )
    print(f"total run time {time.perf_counter() - started:.0f} s")
    return 0 if rate_ok and faster_ok and agree_ok else 1


if __name__ == "__main__":
    sys.exit(main())
