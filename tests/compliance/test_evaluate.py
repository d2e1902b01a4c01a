"""Rulings on hand-placed events against the example agreement, on real geography.

Each event is placed with pyproj's WGS84 ``Geod.fwd`` at a known geodesic
distance and azimuth from a real power plant (Global Power Plant Database) or
from the example's contact line, so the expected distance is known to the
millimetre and the expected status follows from the term's limit and the
event's uncertainty radius.
"""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from truce.agreement import Agreement, load_agreement
from truce.compliance.evaluate import Results, evaluate, evaluate_in_force
from truce.compliance.events import Events
from truce.mission import example_agreement_path

GEOD = Geod(ellps="WGS84")
DNIPRO_HPP2 = (35.0897, 47.8675)  # WRI1005120, Hydro: on both parties' lists
KURAKHOVE = (37.2402, 47.9944)  # WRI1005104, Coal: on party A's list only (B excludes it)
ZNPP = "WRI1005114"
IN_FORCE = datetime(2025, 3, 25, 10, 0, tzinfo=UTC).timestamp()  # every period but the windows
BEFORE = datetime(2025, 3, 10, 10, 0, tzinfo=UTC).timestamp()
MORATORIUM_START = datetime(2025, 3, 17, 22, 0, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return load_agreement(example_agreement_path())


def near(site: tuple[float, float], distance_m: float, azimuth: float = 0.0) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(site[0], site[1], azimuth, distance_m)
    return float(lon), float(lat)


def events(*rows: tuple[str, str, tuple[float, float], float, float, float]) -> Events:
    """Events from ``(category, weapon_class, (lon, lat), uncertainty_m, start, end)``."""
    n = len(rows)
    return Events.from_columns(
        record_id=[f"{i:064x}" for i in range(n)],
        seq=list(range(n)),
        kind=["observation"] * n,
        category=[r[0] for r in rows],
        weapon_class=[r[1] for r in rows],
        lon=[r[2][0] for r in rows],
        lat=[r[2][1] for r in rows],
        uncertainty_m=[r[3] for r in rows],
        start=[r[4] for r in rows],
        end=[r[5] for r in rows],
    )


def ruling(results: Results, event: int, term: str, list_id: str = "") -> dict[str, object]:
    found = [
        r
        for r in results.rows()
        if r["event"] == event and r["term_id"] == term and (r["list_id"] or "") == list_id
    ]
    assert len(found) == 1, found
    return found[0]


def explosion(where: tuple[float, float], unc: float, start: float = IN_FORCE) -> tuple:  # type: ignore[type-arg]
    return ("explosion", "", where, unc, start, start + 60)


# -- energy moratorium: distance, uncertainty, time, per-list -------------------------


@pytest.mark.parametrize(
    ("distance", "unc", "status"),
    [
        (4000.0, 100.0, "breach"),  # 3.9-4.1 km: certainly within 5 km
        (4999.0, 0.0, "breach"),
        (5001.0, 0.0, "no_breach"),
        (5200.0, 300.0, "possible_breach"),  # 4.9-5.5 km straddles the 5 km buffer
        (4800.0, 300.0, "possible_breach"),
        (6000.0, 100.0, "no_breach"),
    ],
)
def test_moratorium_distance_and_uncertainty(
    agreement: Agreement, distance: float, unc: float, status: str
) -> None:
    results = evaluate(agreement, events(explosion(near(DNIPRO_HPP2, distance, 37.0), unc)))
    for list_id in ("energy-A", "energy-B"):  # the plant is on both lists
        r = ruling(results, 0, "moratorium.energy", list_id)
        assert r["status"] == status
        assert r["limit_m"] == 5000.0
        assert r["uncertainty_m"] == unc
        if distance <= 5000.0 + unc:  # measured exactly up to limit + uncertainty
            assert r["distance_m"] == pytest.approx(distance, abs=1.0)
            assert r["feature"] == "gppd/WRI1005120"
        else:  # beyond it the ruling is certain and only the bound is reported
            assert (r["distance_m"], r["feature"]) == (None, None)
            assert r["farther_than_m"] == 5000.0 + unc


def test_moratorium_time(agreement: Agreement) -> None:
    where = near(DNIPRO_HPP2, 1000.0)
    results = evaluate(
        agreement,
        events(
            explosion(where, 0.0, BEFORE),  # a week before it took effect
            ("explosion", "", where, 0.0, MORATORIUM_START - 1800, MORATORIUM_START + 1800),
            explosion(where, 0.0, MORATORIUM_START),  # the first second of the moratorium
        ),
    )
    assert ruling(results, 0, "moratorium.energy", "energy-A")["status"] == "no_breach"
    assert ruling(results, 0, "moratorium.energy", "energy-A")["time_status"] == "outside"
    straddling = ruling(results, 1, "moratorium.energy", "energy-A")
    assert (straddling["status"], straddling["time_status"]) == ("possible_breach", "partly_within")
    assert straddling["time_offset_s"] == -1800.0
    assert ruling(results, 2, "moratorium.energy", "energy-A")["status"] == "breach"


def test_lists_held_by_each_party_are_ruled_apart(agreement: Agreement) -> None:
    # Party B's list excludes the Kurakhove plant: the same strike is a breach
    # of A's list and not of B's, and the results say so explicitly.
    results = evaluate(agreement, events(explosion(near(KURAKHOVE, 1500.0, 200.0), 50.0)))
    a = ruling(results, 0, "moratorium.energy", "energy-A")
    b = ruling(results, 0, "moratorium.energy", "energy-B")
    assert (a["status"], a["feature"]) == ("breach", "gppd/WRI1005104")
    assert a["distance_m"] == pytest.approx(1500.0, abs=1.0)
    assert b["status"] == "no_breach"
    assert (b["feature"], b["distance_m"], b["farther_than_m"]) == (None, None, 5050.0)


def test_events_the_term_does_not_concern_get_no_row(agreement: Agreement) -> None:
    results = evaluate(
        agreement, events(("movement", "", near(DNIPRO_HPP2, 10.0), 0.0, IN_FORCE, IN_FORCE + 60))
    )
    assert "moratorium.energy" not in set(results.term_id.labels())


# -- withdrawal from the contact line --------------------------------------------------


def _offset_from_contact_line(distance_m: float) -> tuple[float, float]:
    (a_lon, a_lat), (b_lon, b_lat) = (37.80, 49.00), (38.00, 48.85)
    mid = ((a_lon + b_lon) / 2, (a_lat + b_lat) / 2)  # on the lon/lat-straight segment
    azimuth, _, _ = GEOD.inv(a_lon, a_lat, b_lon, b_lat)
    return near(mid, distance_m, float(azimuth) + 90.0)  # to the south-east, away from the line


def brute_distance_to_line(agreement: Agreement, point: tuple[float, float]) -> float:
    """Reference: min geodesic distance to the contact line, each lon/lat-straight
    segment sampled every ~0.5 m near the closest coarse sample."""
    (feature,) = agreement.layer("contact-line").features
    coords = np.asarray(feature.geometry.coords)
    best = np.inf
    for (a_lon, a_lat), (b_lon, b_lat) in itertools.pairwise(coords):
        coarse = np.linspace(0.0, 1.0, 2001)
        lons, lats = a_lon + (b_lon - a_lon) * coarse, a_lat + (b_lat - a_lat) * coarse
        _, _, d = GEOD.inv(np.full_like(lons, point[0]), np.full_like(lats, point[1]), lons, lats)
        k = int(np.argmin(d))
        fine = np.linspace(coarse[max(k - 1, 0)], coarse[min(k + 1, 2000)], 200_001)
        lons, lats = a_lon + (b_lon - a_lon) * fine, a_lat + (b_lat - a_lat) * fine
        _, _, d = GEOD.inv(np.full_like(lons, point[0]), np.full_like(lats, point[1]), lons, lats)
        best = min(best, float(np.min(d)))
    return best


@pytest.mark.parametrize(
    ("offset", "weapon", "unc", "status"),
    [
        (10_000.0, "tank", 200.0, "breach"),  # 10 km from this segment, nearer to none
        (14_900.0, "mlrs", 500.0, "possible_breach"),
        (20_000.0, "artillery_100mm_plus", 200.0, "no_breach"),  # ~19 km: the line bends
    ],
)
def test_withdrawal_distance_to_the_line(
    agreement: Agreement, offset: float, weapon: str, unc: float, status: str
) -> None:
    where = _offset_from_contact_line(offset)
    results = evaluate(
        agreement, events(("weapon_sighting", weapon, where, unc, IN_FORCE, IN_FORCE + 60))
    )
    r = ruling(results, 0, "withdrawal.heavy-weapons")
    assert r["status"] == status
    expected = brute_distance_to_line(agreement, where)
    if expected <= 15_000 + unc:
        assert r["distance_m"] == pytest.approx(expected, abs=1.0)
    else:
        assert (r["distance_m"], r["farther_than_m"]) == (None, 15_000 + unc)
    assert r["feature"] == ("contact-line/contact-line-synthetic" if r["distance_m"] else None)


def test_withdrawal_concerns_only_listed_weapon_classes(agreement: Agreement) -> None:
    where = _offset_from_contact_line(1000.0)
    results = evaluate(
        agreement,
        events(("weapon_sighting", "small_arms", where, 0.0, IN_FORCE, IN_FORCE + 60)),
    )
    assert "withdrawal.heavy-weapons" not in set(results.term_id.labels())


# -- repair windows and the composite -------------------------------------------------


def test_window_and_the_energy_package(agreement: Agreement) -> None:
    znpp = next(s for s in agreement.layer("gppd").sites() if s.id == ZNPP)
    in_window = datetime(2025, 3, 20, 9, 0, tzinfo=UTC).timestamp()  # 11:00 in Kyiv
    after = datetime(2025, 3, 20, 20, 0, tzinfo=UTC).timestamp()
    results = evaluate(
        agreement,
        events(
            explosion(near((znpp.lon, znpp.lat), 2000.0, 90.0), 100.0, in_window),
            explosion(near((znpp.lon, znpp.lat), 2000.0, 90.0), 100.0, after),
        ),
    )
    assert ruling(results, 0, "window.repair.znpp")["status"] == "breach"
    assert ruling(results, 1, "window.repair.znpp")["status"] == "no_breach"
    # all_of: the worst of its children, per site list.
    for list_id in ("energy-A", "energy-B"):
        moratorium = ruling(results, 1, "moratorium.energy", list_id)["status"]
        package = ruling(results, 1, "energy.package", list_id)["status"]
        assert package == moratorium
        assert ruling(results, 0, "energy.package", list_id)["status"] == "breach"


def test_general_ceasefire(agreement: Agreement) -> None:
    where = _offset_from_contact_line(3000.0)
    results = evaluate(agreement, events(explosion(where, 10.0), explosion(where, 10.0, BEFORE)))
    first = ruling(results, 0, "ceasefire.general")
    assert first["status"] == "breach"
    assert first["distance_m"] == pytest.approx(brute_distance_to_line(agreement, where), abs=1.0)
    assert ruling(results, 1, "ceasefire.general")["status"] == "no_breach"


# -- versions in force, order and batch independence ---------------------------------


def test_each_event_meets_the_version_in_force(agreement: Agreement) -> None:
    v2 = load_agreement(example_agreement_path().with_name("example-agreement-v2.yaml"))
    # Version 2 widens the moratorium buffer to 10 km from its effective time on.
    later = v2.effective.timestamp() + 3600
    where = near(DNIPRO_HPP2, 7000.0)
    results = evaluate_in_force(
        [agreement, v2], events(explosion(where, 0.0), explosion(where, 0.0, later))
    )
    early = ruling(results, 0, "moratorium.energy", "energy-A")
    late = ruling(results, 1, "moratorium.energy", "energy-A")
    assert (early["version"], early["status"]) == (1, "no_breach")
    assert (late["version"], late["status"]) == (2, "breach")


def _random_events(seed: int, n: int) -> Events:
    rng = random.Random(seed)
    cats = ["explosion", "projectile_in_flight", "weapon_sighting", "shots", "movement"]
    weapons = ["tank", "mlrs", "small_arms", ""]
    rows = []
    for _ in range(n):
        site = rng.choice([DNIPRO_HPP2, KURAKHOVE, (37.9, 48.9)])
        start = IN_FORCE + rng.uniform(-20, 20) * 86400
        rows.append(
            (
                rng.choice(cats),
                rng.choice(weapons),
                near(site, rng.uniform(0, 30_000), rng.uniform(0, 360)),
                rng.choice([0.0, 100.0, 2000.0]),
                start,
                start + rng.choice([60, 3600, 86400]),
            )
        )
    return events(*rows)


def _keyed(results: Results, ev: Events) -> list[str]:
    """Each row as canonical text, with the event named by its record id, sorted."""
    out = []
    for row in results.rows():
        row["event"] = str(ev.record_id[row["event"]])  # type: ignore[index]
        out.append(json.dumps(row, sort_keys=True))
    return sorted(out)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), split=st.integers(1, 40))
def test_results_do_not_depend_on_order_or_batches(
    agreement: Agreement, seed: int, split: int
) -> None:
    ev = _random_events(seed, 60)
    whole = _keyed(evaluate_in_force([agreement], ev), ev)
    order = np.random.default_rng(seed).permutation(len(ev))
    shuffled = ev.take(order)
    assert _keyed(evaluate_in_force([agreement], shuffled), shuffled) == whole
    parts = [ev.take(np.arange(lo, min(lo + split, len(ev)))) for lo in range(0, len(ev), split)]
    pieced = sorted(
        row for part in parts for row in _keyed(evaluate_in_force([agreement], part), part)
    )
    assert pieced == whole


def test_a_ceasefire_zone_on_real_oblast_borders(agreement: Agreement) -> None:
    # A local ceasefire in Kharkiv Oblast (UA-63), ruled against its real border.
    doc = agreement.to_document()
    doc["terms"].append(
        {
            "id": "ceasefire.kharkiv",
            "version": 1,
            "type": "ceasefire",
            "period": {"start": "2025-03-18T00:00:00+02:00", "end": "2025-04-17T00:00:00+03:00"},
            "events": ["explosion"],
            "zone": {"layer": "oblasts", "ids": ["UA-63"]},
        }
    )
    local = Agreement.from_document(doc)
    oblast = local.layer("oblasts").feature("UA-63").geometry
    inside = oblast.representative_point()
    border = oblast.exterior.coords[0] if oblast.geom_type == "Polygon" else None
    border = border or next(iter(oblast.geoms)).exterior.coords[0]
    far_outside = near(DNIPRO_HPP2, 0.0)  # Zaporizhzhia Oblast
    results = evaluate(
        local,
        events(
            explosion((inside.x, inside.y), 100.0),
            explosion((float(border[0]), float(border[1])), 1000.0),  # on the border itself
            explosion(far_outside, 100.0),
        ),
    )
    first = ruling(results, 0, "ceasefire.kharkiv")
    assert (first["status"], first["feature"]) == ("breach", "oblasts/UA-63")
    assert ruling(results, 1, "ceasefire.kharkiv")["status"] == "possible_breach"
    assert ruling(results, 2, "ceasefire.kharkiv")["status"] == "no_breach"
