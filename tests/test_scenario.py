"""The synthetic scenario: pure, deterministic, on real geography, and valid records."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, shape

from truce.agreement import Agreement, load_agreement
from truce.mission import example_agreement_path
from truce.records import parse_record
from truce.records.commitments import seal_fields
from truce.scenario import Scenario, ScenarioConfig, generate

DATA = Path(__file__).resolve().parents[1] / "truce" / "data"
GEOD = Geod(ellps="WGS84")
#: Small but complete: every allegation mode, a few hundred observations.
SMALL = ScenarioConfig(seed=11, days=6, observations_per_day=40)


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return load_agreement(example_agreement_path())


@pytest.fixture(scope="module")
def full(agreement: Agreement) -> Scenario:
    """The default 30-day scenario, as the demo builds it."""
    return generate(agreement, ScenarioConfig())


@pytest.fixture(scope="module")
def plants() -> dict[str, tuple[float, float]]:
    doc = json.loads((DATA / "ukraine_power_plants.geojson").read_text(encoding="utf-8"))
    return {
        f["properties"]["gppd_idnr"]: tuple(f["geometry"]["coordinates"]) for f in doc["features"]
    }


def _contact_line(agreement: Agreement) -> LineString:
    (layer,) = [layer for layer in agreement.layers.lines if layer.id == "contact-line"]
    (feature,) = layer.features
    return LineString(feature.geometry)


def _by_type(s: Scenario, kind: str) -> list[dict[str, Any]]:
    return [body for body, _ in s.records if body["type"] == kind]


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _times(obj: Any) -> list[datetime]:
    """Every event time in a record body (not ``signed_at``)."""
    out: list[datetime] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("at", "t", "start", "end", "captured_at") and isinstance(v, str):
                out.append(_ts(v))
            elif k != "signed_at":
                out.extend(_times(v))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_times(v))
    return out


def _point_of(obs: dict[str, Any]) -> tuple[float, float]:
    loc = obs["location"]
    pt = loc if loc["kind"] == "point" else loc["observer"]
    return pt["lon"], pt["lat"]


def _is_facility_report(obs: dict[str, Any]) -> bool:
    """Observations that confirm an energy-site allegation are placed near the site."""
    return str(obs.get("description", "")).startswith("Impact near ")


# -- purity and determinism ------------------------------------------------------


def test_generate_is_deterministic_and_pure(agreement: Agreement) -> None:
    before = agreement.to_document()
    a = generate(agreement, SMALL)
    snapshot = copy.deepcopy(a.records)
    b = generate(agreement, SMALL)
    assert a.records == b.records
    assert a.files == b.files
    assert a.notes == b.notes
    assert a.actors == b.actors
    # Generating again neither mutates the first result nor the agreement.
    assert a.records == snapshot
    assert agreement.to_document() == before


def test_a_different_seed_gives_a_different_scenario(agreement: Agreement) -> None:
    a = generate(agreement, SMALL)
    b = generate(agreement, ScenarioConfig(seed=SMALL.seed + 1, days=6, observations_per_day=40))
    assert a.records != b.records
    assert {f.sha256 for f in a.files}.isdisjoint({f.sha256 for f in b.files})


def test_default_config_is_used_when_none(agreement: Agreement, full: Scenario) -> None:
    assert generate(agreement).records == full.records


# -- counts ---------------------------------------------------------------------


def _regular_observations(s: Scenario) -> int:
    return sum(1 for o in _by_type(s, "observation") if not _is_facility_report(o))


def test_counts_scale_with_days(agreement: Agreement) -> None:
    short = generate(agreement, ScenarioConfig(seed=3, days=4, observations_per_day=30))
    long = generate(agreement, ScenarioConfig(seed=3, days=12, observations_per_day=30))
    cfg = ScenarioConfig()
    for s, days in ((short, 4), (long, 12)):
        kinds = Counter(c["kind"] for c in _by_type(s, "coverage"))
        # One patrol track per team per day, one uptime record per camera per day.
        assert kinds["patrol_track"] == days * cfg.teams
        assert kinds["camera_uptime"] == days * cfg.cameras
        assert kinds["denied_access"] <= days
        assert s.notes["observations"] == len(_by_type(s, "observation"))
    assert _regular_observations(long) > 2 * _regular_observations(short)


def test_observations_scale_with_observations_per_day(agreement: Agreement) -> None:
    days = 10
    intensity = [0.35] * 3 + [0.6] * 7  # the first ten days of the scenario's schedule
    for per_day in (10, 50):
        s = generate(agreement, ScenarioConfig(seed=5, days=days, observations_per_day=per_day))
        n = _regular_observations(s)
        low = sum(round(per_day * k * 0.8) for k in intensity) - days
        high = sum(round(per_day * k * 1.2) for k in intensity) + days
        assert low <= n <= high, (per_day, n, low, high)


def test_allegation_counts_match_the_notes(agreement: Agreement, full: Scenario) -> None:
    n = full.notes
    total = ScenarioConfig().energy_allegations
    assert n["energy_allegations_matched"] > 0
    assert n["energy_allegations_unmatched"] > 0
    assert n["energy_allegations_contradicted"] > 0
    assert (
        n["energy_allegations_matched"]
        + n["energy_allegations_unmatched"]
        + n["energy_allegations_contradicted"]
        == total
    )
    # Each contradicted allegation brings the other party's mirror-image claim.
    assert len(_by_type(full, "allegation")) == total + n["energy_allegations_contradicted"]
    assert (
        sum(map(_is_facility_report, _by_type(full, "observation")))
        == (n["energy_allegations_matched"])
    )


@pytest.mark.parametrize("days", [1, 2, 3])
def test_very_short_scenarios_are_generated(agreement: Agreement, days: int) -> None:
    s = generate(agreement, ScenarioConfig(seed=1, days=days, observations_per_day=5))
    assert len(_by_type(s, "allegation")) >= ScenarioConfig().energy_allegations
    end = agreement.effective + timedelta(days=days)
    for a in _by_type(s, "allegation"):
        assert _ts(a["claim"]["time"]["at"]) < end


# -- geography ----------------------------------------------------------------------


def test_observations_lie_in_ukraine(full: Scenario) -> None:
    doc = json.loads((DATA / "ukraine_outline.geojson").read_text(encoding="utf-8"))
    outline = shapely.union_all([shape(f["geometry"]) for f in doc["features"]])
    points = [_point_of(o) for o in _by_type(full, "observation")]
    xy = np.array(points)
    inside = shapely.contains_xy(outline, xy[:, 0], xy[:, 1])
    assert inside.mean() > 0.95
    boundary = outline.boundary
    worst = 0.0
    for lon, lat in xy[~inside]:
        # Geodesic distance to the nearest (planar) boundary point: an upper bound.
        near = boundary.interpolate(boundary.project(Point(lon, lat)))
        worst = max(worst, GEOD.inv(lon, lat, near.x, near.y)[2] / 1000)
    assert worst <= 25.0, f"an observation lies {worst:.1f} km outside Ukraine"


def test_observations_lie_near_the_contact_line(agreement: Agreement, full: Scenario) -> None:
    line = _contact_line(agreement)
    regular = [o for o in _by_type(full, "observation") if not _is_facility_report(o)]
    xy = np.array([_point_of(o) for o in regular])
    pts = shapely.points(xy)
    near = shapely.line_interpolate_point(line, shapely.line_locate_point(line, pts))
    _, _, dist = GEOD.inv(xy[:, 0], xy[:, 1], shapely.get_x(near), shapely.get_y(near))
    km = np.asarray(dist) / 1000  # an upper bound on the geodesic distance to the line
    assert km.max() <= 35.0
    weapons = np.array([o["category"] == "weapon_sighting" for o in regular])
    # Fire is reported close to the line; only weapon sightings range into the 30 km band.
    assert km[~weapons].max() <= 15.0
    assert km[weapons].max() > 15.0


def test_facility_reports_lie_near_the_site(
    full: Scenario, plants: dict[str, tuple[float, float]]
) -> None:
    sites = [
        (plants[a["claim"]["facility"]["id"]], _ts(a["claim"]["time"]["at"]))
        for a in _by_type(full, "allegation")
    ]
    reports = [o for o in _by_type(full, "observation") if _is_facility_report(o)]
    assert reports
    for obs in reports:
        lon, lat = _point_of(obs)
        at = _ts(obs["time"]["at"])
        best = min(
            GEOD.inv(lon, lat, slon, slat)[2]
            for (slon, slat), t in sites
            if abs((at - t).total_seconds()) <= 2 * 3600
        )
        assert best <= 3600, obs


def test_allegations_name_real_power_plants(
    full: Scenario, plants: dict[str, tuple[float, float]]
) -> None:
    allegations = _by_type(full, "allegation")
    assert allegations
    for a in allegations:
        facility = a["claim"]["facility"]
        assert facility["layer"] == "gppd"
        assert facility["id"] in plants
        lon, lat = plants[facility["id"]]
        loc = a["claim"]["location"]
        assert (loc["lon"], loc["lat"]) == (round(lon, 5), round(lat, 5))
        assert a["party"] != a["against"]
        assert {a["party"], a["against"]} == {"A", "B"}


def test_contradicted_pairs_swap_party_and_against(full: Scenario) -> None:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for a in _by_type(full, "allegation"):
        key = (a["claim"]["facility"]["id"], a["claim"]["time"]["at"])
        groups.setdefault(key, []).append(a)
    pairs = [g for g in groups.values() if len(g) == 2]
    assert len(pairs) == full.notes["energy_allegations_contradicted"]
    for first, second in pairs:
        assert (first["party"], first["against"]) == (second["against"], second["party"])
        assert first["claim"]["location"] == second["claim"]["location"]


def test_evidence_files_hash_to_their_names(full: Scenario) -> None:
    by_sha = {f.sha256: f for f in full.files}
    for f in full.files:
        assert hashlib.sha256(f.content).hexdigest() == f.sha256
        assert json.loads(f.content)["synthetic"] is True
    for ev in _by_type(full, "evidence"):
        assert ev["size"] == len(by_sha[ev["sha256"]].content)
    cited = {sha for a in _by_type(full, "allegation") for sha in a.get("evidence", [])}
    assert cited == set(by_sha)


# -- the records themselves ---------------------------------------------------------


def test_every_record_is_labelled_synthetic(full: Scenario) -> None:
    for body, _ in full.records:
        assert body["synthetic"] is True
        assert body["source"] == "synthetic"


def test_signed_at_is_not_before_the_event(full: Scenario) -> None:
    checked = 0
    for body, _ in full.records:
        times = _times(body)
        if body["type"] in ("observation", "allegation", "coverage", "evidence"):
            assert times, body
        signed = _ts(body["signed_at"])
        for t in times:
            assert signed >= t, body
            checked += 1
    assert checked > len(full.records)


def test_records_are_in_signing_order(full: Scenario) -> None:
    signed = [_ts(body["signed_at"]) for body, _ in full.records]
    assert signed == sorted(signed)


def test_every_record_parses(full: Scenario) -> None:
    sealed = 0
    for body, _ in full.records:
        assert {"type", "signed_at"} <= body.keys()
        if "sealed" in body:  # fields to seal: the record signed carries commitments
            payload, reveals = seal_fields(body, body["sealed"], salt=lambda _: b"s" * 32)
            assert [r.path for r in reveals] == body["sealed"]
            sealed += 1
        else:
            payload = body
        record = parse_record({**payload, "mission": "truce-demo"})
        assert record.type == body["type"]
    assert sealed > 0


def test_signers_are_actors_with_the_right_role(full: Scenario) -> None:
    roles = {a.principal: (a.role, a.party) for a in full.actors}
    for body, who in full.records:
        role, party = roles[who]
        if body["type"] in ("observation", "coverage"):
            assert role == "monitor"
        elif body["type"] == "allegation":
            assert (role, party) == ("party", body["party"])
        elif body["type"] == "correspondence":
            assert (role, party) == ("party", body["from_party"])
        elif body["type"] == "evidence":
            assert role == "party"
