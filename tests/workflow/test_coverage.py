"""Coverage summaries: hand-computed areas, day splitting, sites, restrictions, validation."""

from __future__ import annotations

import copy
import json
import math
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from truce.agreement import Agreement, Site, load_agreement
from truce.errors import ValidationError
from truce.mission import example_agreement_path
from truce.records import Coverage, parse_record
from truce.scenario import ScenarioConfig, generate
from truce.workflow.coverage import (
    MAX_DAYS,
    CoverageSettings,
    CoverageSummary,
    DayCoverage,
    default_sites,
    summarise_coverage,
)

GEOD = Geod(ellps="WGS84")
DAY = date(2025, 3, 20)  # Europe/Kyiv is UTC+2 that day: local midnight is 22:00Z
NEXT = date(2025, 3, 21)
LINE_LAT = 48.5


def _plant(pid: str, fuel: str, lon: float, lat: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": pid, "name": pid, "fuel": fuel},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


_DOC: dict[str, Any] = {
    "format": "truce-agreement/1",
    "id": "coverage-test",
    "version": 1,
    "title": "Coverage test agreement",
    "time_zone": "Europe/Kyiv",
    "effective": "2025-03-18T00:00:00+02:00",
    "parties": [{"id": "A", "name": "Party A"}, {"id": "B", "name": "Party B"}],
    "geography": {
        "lines": [
            {
                "id": "contact-line",
                "feature_id": "id",
                "source": {
                    "inline": {
                        "type": "FeatureCollection",
                        "features": [
                            {
                                "type": "Feature",
                                "properties": {"id": "L1"},
                                "geometry": {
                                    "type": "LineString",
                                    "coordinates": [[30.0, LINE_LAT], [31.0, LINE_LAT]],
                                },
                            }
                        ],
                    }
                },
            }
        ],
        "sites": [
            {
                "id": "plants",
                "feature_id": "id",
                "feature_name": "name",
                "category": "fuel",
                "source": {
                    "inline": {
                        "type": "FeatureCollection",
                        "features": [
                            _plant("P1", "Hydro", 30.5, 48.55),
                            _plant("P2", "Coal", 30.5, 48.9),
                            _plant("P3", "Solar", 30.9, 48.45),
                        ],
                    }
                },
            }
        ],
    },
    "site_lists": [
        {"id": "energy-A", "held_by": "A", "layer": "plants", "categories": ["Hydro", "Coal"]},
        {"id": "energy-B", "held_by": "B", "layer": "plants", "categories": ["Hydro"]},
    ],
    "terms": [
        {
            "id": "moratorium.energy",
            "version": 1,
            "type": "energy_moratorium",
            "period": {"start": "2025-03-18T00:00:00+02:00"},
            "sites": {"lists": ["energy-A", "energy-B"]},
            "radius_km": 5,
            "events": ["explosion"],
        },
        {
            "id": "window.repair",
            "version": 1,
            "type": "window",
            "windows": [{"start": "2025-03-20T08:00:00+02:00", "end": "2025-03-20T18:00:00+02:00"}],
            "site": {"layer": "plants", "id": "P3"},
            "radius_km": 5,
            "events": ["explosion"],
        },
    ],
}


@pytest.fixture(scope="module")
def small() -> Agreement:
    return Agreement.from_document(copy.deepcopy(_DOC))


@pytest.fixture(scope="module")
def example() -> Agreement:
    return load_agreement(example_agreement_path())


def _z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _record(body: dict[str, Any]) -> Coverage:
    doc = {"type": "coverage", "mission": "smm-east", "signed_at": "2025-04-20T00:00:00Z", **body}
    record = parse_record(json.dumps(doc).encode())
    assert isinstance(record, Coverage)
    return record


def camera(
    lon: float,
    lat: float,
    radius: float = 8000.0,
    spans: tuple[tuple[datetime, datetime], ...] = (
        (datetime(2025, 3, 19, 22, tzinfo=UTC), datetime(2025, 3, 20, 22, tzinfo=UTC)),
    ),
    name: str = "camera-01",
) -> Coverage:
    return _record(
        {
            "kind": "camera_uptime",
            "camera": name,
            "location": {"kind": "point", "lon": lon, "lat": lat, "uncertainty_m": 10},
            "view_radius_m": radius,
            "intervals": [{"start": _z(s), "end": _z(e)} for s, e in spans],
        }
    )


def patrol(points: list[tuple[float, float, datetime]], team: str = "team-01") -> Coverage:
    track = [{"lon": lon, "lat": lat, "t": _z(t)} for lon, lat, t in points]
    return _record({"kind": "patrol_track", "team": team, "track": track})


def denied(
    at: datetime, restriction: str, by: str | None, *, location: dict[str, Any] | None = None
) -> Coverage:
    body: dict[str, Any] = {
        "kind": "denied_access",
        "team": "team-02",
        "location": location or {"kind": "point", "lon": 30.4, "lat": 48.5, "uncertainty_m": 50},
        "time": {"at": _z(at), "precision": "minute"},
        "restriction": restriction,
        "reason": "checkpoint closed",
    }
    if by is not None:
        body["by"] = by
    return _record(body)


def _only(summary: CoverageSummary) -> DayCoverage:
    assert len(summary.days) == 1
    return summary.days[0]


def _length_m(coords: list[tuple[float, float]]) -> float:
    lons, lats = zip(*coords, strict=True)
    return float(GEOD.line_length(lons, lats))


# -- hand-computed areas ----------------------------------------------------------


def test_contact_area_is_the_band_around_the_line(small: Agreement) -> None:
    summary = summarise_coverage([], small, days=[DAY])
    length = _length_m([(30.0, LINE_LAT), (31.0, LINE_LAT)])
    w = 15_000.0
    expected = (2 * w * length + math.pi * w * w) / 1e6
    assert summary.contact_km2 == pytest.approx(expected, rel=0.01)
    day = _only(summary)
    assert day.seen_km2 == 0.0
    assert day.area_share == 0.0
    assert "+proj=laea" in summary.projection
    assert summary.line_layers == ("contact-line",)


def test_a_camera_disc_inside_the_band_sees_pi_r_squared(small: Agreement) -> None:
    day = _only(summarise_coverage([camera(30.5, LINE_LAT, 8000)], small))
    assert day.day == DAY
    assert day.seen_km2 == pytest.approx(math.pi * 8.0**2, rel=0.01)
    assert day.area_share == pytest.approx(day.seen_km2 / day.contact_km2)
    assert day.cameras == 1
    assert day.camera_hours == pytest.approx(24.0)
    assert day.patrols == 0


def test_a_camera_disc_half_outside_the_band_counts_only_the_inside(small: Agreement) -> None:
    # Centre on the band's edge, 15 km north of the (geodesic) line's midpoint: half inside.
    az, _, length = GEOD.inv(30.0, LINE_LAT, 31.0, LINE_LAT)
    mid_lon, mid_lat, back = GEOD.fwd(30.0, LINE_LAT, az, length / 2)
    lon, lat, _ = GEOD.fwd(mid_lon, mid_lat, back + 180 - 90, 15_000)
    day = _only(summarise_coverage([camera(lon, lat, 5000)], small))
    assert day.seen_km2 == pytest.approx(math.pi * 25 / 2, rel=0.02)


def test_a_patrol_track_sees_a_stadium(small: Agreement) -> None:
    t0 = datetime(2025, 3, 20, 6, tzinfo=UTC)
    coords = [(30.2, LINE_LAT), (30.5, LINE_LAT), (30.8, LINE_LAT)]
    track = patrol([(lon, lat, t0 + timedelta(hours=i)) for i, (lon, lat) in enumerate(coords)])
    day = _only(summarise_coverage([track], small))
    length = _length_m(coords)
    sight = 5000.0
    assert day.seen_km2 == pytest.approx((2 * sight * length + math.pi * sight**2) / 1e6, rel=0.02)
    assert day.patrols == 1
    assert day.patrol_km == pytest.approx(length / 1000, rel=1e-6)
    assert day.cameras == 0


def test_patrol_sight_setting_sets_the_stadium_width(small: Agreement) -> None:
    t0 = datetime(2025, 3, 20, 6, tzinfo=UTC)
    coords = [(30.3, LINE_LAT), (30.7, LINE_LAT)]
    track = patrol([(lon, lat, t0 + timedelta(hours=i)) for i, (lon, lat) in enumerate(coords)])
    length = _length_m(coords)
    for sight in (2000.0, 8000.0):
        day = _only(
            summarise_coverage([track], small, settings=CoverageSettings(patrol_sight_m=sight))
        )
        expected = (2 * sight * length + math.pi * sight**2) / 1e6
        assert day.seen_km2 == pytest.approx(expected, rel=0.02)


def test_overlapping_footprints_are_counted_once(small: Agreement) -> None:
    one = _only(summarise_coverage([camera(30.5, LINE_LAT)], small))
    two = _only(
        summarise_coverage([camera(30.5, LINE_LAT), camera(30.5, LINE_LAT, name="cam-2")], small)
    )
    assert two.seen_km2 == pytest.approx(one.seen_km2)
    assert two.cameras == 2
    assert two.camera_hours == pytest.approx(48.0)


# -- sites ------------------------------------------------------------------------


def test_default_sites_are_the_moratorium_sites_once_each(small: Agreement) -> None:
    sites = default_sites(small)
    # energy-A = P1, P2; energy-B = P1; the window site P3 is not a moratorium site.
    assert [(s.layer, s.id) for s in sites] == [("plants", "P1"), ("plants", "P2")]


def test_default_sites_of_the_example_are_every_listed_site(example: Agreement) -> None:
    sites = default_sites(example)
    lists = example.protected_sites("moratorium.energy")
    expected = {(s.layer, s.id) for group in lists.values() for s in group}
    assert {(s.layer, s.id) for s in sites} == expected
    assert len(sites) == len(expected)
    assert [(s.layer, s.id) for s in sites] == sorted(expected)


def test_a_site_inside_a_camera_disc_is_seen_and_one_outside_is_not(small: Agreement) -> None:
    # P1 is at (30.5, 48.55): about 5.6 km north of the camera; P2 is 44 km north.
    day = _only(summarise_coverage([camera(30.5, LINE_LAT, 8000)], small))
    assert (day.sites_total, day.sites_seen, day.site_share) == (2, 1, 0.5)
    assert day.sites_unseen == ("P2",)
    short = _only(summarise_coverage([camera(30.5, LINE_LAT, 5000)], small))
    assert (short.sites_seen, short.sites_unseen) == (0, ("P1", "P2"))


def test_a_site_outside_the_contact_area_is_seen_by_a_camera_near_it(small: Agreement) -> None:
    day = _only(summarise_coverage([camera(30.5, 48.88, 3000)], small))
    assert day.seen_km2 == 0.0  # the disc is far outside the band
    assert day.sites_seen == 1
    assert day.sites_unseen == ("P1",)


def test_sites_can_be_given_and_are_deduplicated(small: Agreement) -> None:
    p3 = small.layer("plants").sites()[2]
    day = _only(summarise_coverage([camera(30.9, 48.45, 1000)], small, sites=[p3, p3]))
    assert (day.sites_total, day.sites_seen, day.site_share) == (1, 1, 1.0)
    none = _only(summarise_coverage([camera(30.9, 48.45)], small, sites=[]))
    assert (none.sites_total, none.site_share, none.sites_unseen) == (0, None, ())


# -- days -------------------------------------------------------------------------


def test_a_camera_down_all_day_sees_nothing(small: Agreement) -> None:
    up = camera(30.5, LINE_LAT)  # up the whole local day of DAY only
    summary = summarise_coverage([up], small, days=[NEXT, DAY])
    assert [d.day for d in summary.days] == [DAY, NEXT]
    down = summary.day(NEXT)
    assert down is not None
    assert (down.cameras, down.camera_hours, down.seen_km2, down.sites_seen) == (0, 0.0, 0.0, 0)
    assert down.site_share == 0.0
    assert summary.day(date(2020, 1, 1)) is None


def test_camera_intervals_are_clipped_to_local_days_and_merged(small: Agreement) -> None:
    start = datetime(2025, 3, 20, 18, tzinfo=UTC)  # 20:00 local
    spans = ((start, start + timedelta(hours=6)),)  # to 02:00 local next day
    cams = [
        camera(30.5, LINE_LAT, spans=spans),
        camera(30.5, LINE_LAT, spans=((start + timedelta(hours=1), start + timedelta(hours=3)),)),
    ]
    summary = summarise_coverage(cams, small)
    assert [(d.day, d.camera_hours, d.cameras) for d in summary.days] == [
        (DAY, 4.0, 1),
        (NEXT, 2.0, 1),
    ]


def test_a_dst_day_has_23_camera_hours(small: Agreement) -> None:
    spans = ((datetime(2025, 3, 29, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)),)
    summary = summarise_coverage([camera(30.5, LINE_LAT, spans=spans)], small)
    hours = {d.day: d.camera_hours for d in summary.days}
    assert hours[date(2025, 3, 30)] == pytest.approx(23.0)  # clocks go forward in Kyiv
    assert hours[date(2025, 3, 31)] == pytest.approx(24.0)
    assert sorted(hours) == [date(2025, 3, 29) + timedelta(days=k) for k in range(4)]


def test_a_track_over_midnight_in_kyiv_is_split_by_segment_start(small: Agreement) -> None:
    # 21:30Z, 21:50Z, 22:10Z, 22:30Z = 23:30, 23:50, 00:10, 00:30 local (UTC+2).
    base = datetime(2025, 3, 20, 21, 30, tzinfo=UTC)
    coords = [(30.2, LINE_LAT), (30.3, LINE_LAT), (30.4, LINE_LAT), (30.5, LINE_LAT)]
    minutes = (0, 20, 40, 60)
    track = patrol(
        [
            (lon, lat, base + timedelta(minutes=m))
            for (lon, lat), m in zip(coords, minutes, strict=True)
        ]
    )
    summary = summarise_coverage([track], small)
    first, second = summary.days
    assert (first.day, second.day) == (DAY, NEXT)
    assert first.patrol_km == pytest.approx(_length_m(coords[:3]) / 1000, rel=1e-6)
    assert second.patrol_km == pytest.approx(_length_m(coords[2:]) / 1000, rel=1e-6)
    assert first.patrols == second.patrols == 1
    sight = 5000.0
    stadium = (2 * sight * _length_m(coords[:3]) + math.pi * sight**2) / 1e6
    assert first.seen_km2 == pytest.approx(stadium, rel=0.02)


def test_default_days_are_every_day_touched_sorted(small: Agreement) -> None:
    t = datetime(2025, 3, 25, 8, tzinfo=UTC)
    records = [
        denied(t, "denied", "A"),
        camera(30.5, LINE_LAT),
        patrol([(30.2, LINE_LAT, t), (30.3, LINE_LAT, t + timedelta(hours=1))]),
    ]
    summary = summarise_coverage(records, small)
    assert [d.day for d in summary.days] == [DAY, date(2025, 3, 25)]
    assert summarise_coverage([], small).days == ()


# -- restrictions -----------------------------------------------------------------


def test_restrictions_are_counted_by_kind_and_by_party(small: Agreement) -> None:
    t = datetime(2025, 3, 20, 9, tzinfo=UTC)
    bearing = {
        "kind": "bearing",
        "observer": {"kind": "point", "lon": 30.4, "lat": 48.4, "uncertainty_m": 10},
        "direction": "N",
        "distance_band": "1-3km",
    }
    records = [
        denied(t + timedelta(hours=3), "denied", "A"),
        denied(t, "denied", "B"),
        denied(t + timedelta(hours=1), "delayed", None),
        denied(t + timedelta(hours=2), "conditional", "A", location=bearing),
        denied(t + timedelta(hours=4), "delayed", "C"),
        denied(t + timedelta(days=1), "denied", "A"),  # the next local day
    ]
    summary = summarise_coverage(records, small)
    day = summary.days[0]
    assert dict(day.restrictions_by_kind) == {"denied": 2, "conditional": 1, "delayed": 2}
    assert dict(day.restrictions_by_party) == {"A": 2, "B": 1, "C": 1, "unknown": 1}
    assert list(day.restrictions_by_party) == ["A", "B", "C", "unknown"]
    assert [e.time for e in day.restrictions] == [t + timedelta(hours=h) for h in range(5)]
    second = day.restrictions[1]
    assert (second.by, second.restriction, second.team) == ("unknown", "delayed", "team-02")
    estimated = day.restrictions[2]  # the bearing: ~2 km north of the observer
    assert estimated.lon == pytest.approx(30.4, abs=1e-3)
    assert 48.41 < estimated.lat < 48.43
    nxt = summary.days[1]
    assert dict(nxt.restrictions_by_kind) == {"denied": 1, "conditional": 0, "delayed": 0}
    assert dict(nxt.restrictions_by_party) == {"A": 1, "B": 0, "unknown": 0}
    event = day.to_dict()["restrictions"]["events"][0]
    assert event == {
        "time": "2025-03-20T09:00:00Z",
        "team": "team-02",
        "restriction": "denied",
        "by": "B",
        "reason": "checkpoint closed",
        "lon": 30.4,
        "lat": 48.5,
    }


# -- output -----------------------------------------------------------------------


def test_to_dict_is_json_ready_rounded_and_independent_of_record_order(small: Agreement) -> None:
    t = datetime(2025, 3, 20, 6, tzinfo=UTC)
    records = [
        camera(30.5, LINE_LAT),
        camera(30.8, 48.45, 6000, name="camera-02"),
        patrol([(30.1, 48.52, t), (30.3, 48.47, t + timedelta(hours=1))]),
        denied(t, "delayed", "B"),
    ]
    out = summarise_coverage(records, small).to_dict()
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)
    assert summarise_coverage(shuffled, small).to_dict() == out
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert list(out) == [
        "agreement",
        "time_zone",
        "projection",
        "line_layers",
        "settings",
        "contact_km2",
        "sites_total",
        "days",
    ]
    assert out["agreement"] == {"id": "coverage-test", "version": 1}
    assert out["time_zone"] == "Europe/Kyiv"
    assert out["settings"] == {
        "patrol_sight_m": 5000.0,
        "contact_band_m": 15000.0,
        "line_layer": None,
    }
    day = out["days"][0]
    assert list(day) == [
        "date",
        "contact_km2",
        "seen_km2",
        "area_share",
        "cameras",
        "camera_hours",
        "patrols",
        "patrol_km",
        "sites_total",
        "sites_seen",
        "site_share",
        "sites_unseen",
        "restrictions",
    ]
    assert day["date"] == "2025-03-20"
    assert day["seen_km2"] == round(day["seen_km2"], 1)
    assert day["area_share"] == round(day["area_share"], 4)
    assert list(day["restrictions"]) == ["total", "by_kind", "by_party", "events"]
    assert day["restrictions"]["total"] == 1


def test_the_example_scenario_gives_sane_days(example: Agreement) -> None:
    scenario = generate(example, ScenarioConfig(days=3, observations_per_day=1))
    records = [
        parse_record(json.dumps({**body, "mission": "smm-east"}).encode())
        for body, _ in scenario.records
        if body["type"] == "coverage"
    ]
    coverage = [r for r in records if isinstance(r, Coverage)]
    summary = summarise_coverage(coverage, example)
    assert summary.line_layers == ("contact-line",)
    assert summary.sites_total == len(default_sites(example))
    # The scenario's days start at the agreement's local midnight.
    first = summary.days[0]
    assert first.day == date(2025, 3, 18)
    assert (first.patrols, first.cameras) == (6, 8)
    for day in summary.days:
        assert 0.0 <= day.area_share <= 1.0
        assert day.seen_km2 <= day.contact_km2
        assert day.site_share is not None and 0.0 <= day.site_share <= 1.0


def test_a_camera_on_the_example_contact_line(example: Agreement) -> None:
    day = _only(summarise_coverage([camera(37.80, 49.00, 8000)], example))
    assert day.seen_km2 == pytest.approx(math.pi * 64, rel=0.01)
    layer = summarise_coverage([], example, days=[DAY], settings=CoverageSettings())
    named = summarise_coverage(
        [], example, days=[DAY], settings=CoverageSettings(line_layer="contact-line")
    )
    assert named.contact_km2 == pytest.approx(layer.contact_km2)


# -- properties -------------------------------------------------------------------

_T0 = datetime(2025, 3, 19, 22, tzinfo=UTC)  # local midnight of DAY
_lons = st.floats(29.7, 31.3)
_lats = st.floats(48.2, 48.8)
_minutes = st.integers(0, 48 * 60 - 1)


@st.composite
def _cameras(draw: st.DrawFn) -> Coverage:
    start = _T0 + timedelta(minutes=draw(_minutes))
    length = timedelta(minutes=draw(st.integers(1, 36 * 60)))
    return camera(
        draw(_lons),
        draw(_lats),
        draw(st.floats(100, 20_000)),
        spans=((start, start + length),),
        name=draw(st.sampled_from(["camera-01", "camera-02", "camera-03"])),
    )


@st.composite
def _patrols(draw: st.DrawFn) -> Coverage:
    n = draw(st.integers(2, 5))
    t = _T0 + timedelta(minutes=draw(_minutes))
    points = []
    for _ in range(n):
        points.append((draw(_lons), draw(_lats), t))
        t += timedelta(minutes=draw(st.integers(0, 300)))
    return patrol(points)


_records = st.one_of(_cameras(), _patrols())


@settings(max_examples=30, deadline=None)
@given(st.lists(_records, max_size=5), _records)
def test_shares_are_bounded_and_adding_a_record_never_loses_sight(
    small: Agreement, records: list[Coverage], extra: Coverage
) -> None:
    days = [DAY, NEXT, date(2025, 3, 22)]
    before = summarise_coverage(records, small, days=days)
    after = summarise_coverage([*records, extra], small, days=days)
    for old, new in zip(before.days, after.days, strict=True):
        for day in (old, new):
            assert 0.0 <= day.area_share <= 1.0
            assert 0.0 <= day.seen_km2 <= day.contact_km2
            assert day.site_share is not None and 0.0 <= day.site_share <= 1.0
        assert new.seen_km2 >= old.seen_km2 - 1e-6
        assert new.sites_seen >= old.sites_seen
        assert set(new.sites_unseen) <= set(old.sites_unseen)
        assert new.camera_hours >= old.camera_hours - 1e-9


# -- validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"patrol_sight_m": 0}, "patrol_sight_m"),
        ({"patrol_sight_m": -5.0}, "patrol_sight_m"),
        ({"patrol_sight_m": 60_000}, "patrol_sight_m"),
        ({"patrol_sight_m": float("nan")}, "patrol_sight_m"),
        ({"patrol_sight_m": True}, "patrol_sight_m"),
        ({"patrol_sight_m": "5000"}, "patrol_sight_m"),
        ({"contact_band_m": 0.0}, "contact_band_m"),
        ({"contact_band_m": float("inf")}, "contact_band_m"),
        ({"contact_band_m": 500_000}, "contact_band_m"),
        ({"line_layer": ""}, "line_layer"),
        ({"line_layer": 3}, "line_layer"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        CoverageSettings(**kwargs)
    assert err.value.field == field


def test_settings_accept_bounds_and_become_floats() -> None:
    s = CoverageSettings(patrol_sight_m=50_000, contact_band_m=1)
    assert (s.patrol_sight_m, s.contact_band_m) == (50_000.0, 1.0)
    assert isinstance(s.patrol_sight_m, float)


def test_a_record_that_is_not_coverage_is_refused(small: Agreement) -> None:
    good = camera(30.5, LINE_LAT)
    with pytest.raises(ValidationError) as err:
        summarise_coverage([good, {"kind": "camera_uptime"}], small)  # type: ignore[list-item]
    assert err.value.field == "records[1]"


def test_an_agreement_without_lines_is_refused() -> None:
    doc = copy.deepcopy(_DOC)
    del doc["geography"]["lines"]
    agreement = Agreement.from_document(doc)
    with pytest.raises(ValidationError) as err:
        summarise_coverage([camera(30.5, LINE_LAT)], agreement)
    assert err.value.field == "geography.lines"


def test_an_unknown_line_layer_is_refused(small: Agreement) -> None:
    with pytest.raises(ValidationError) as err:
        summarise_coverage([], small, settings=CoverageSettings(line_layer="front"))
    assert err.value.field == "settings.line_layer"
    assert "contact-line" in err.value.reason


def test_bad_days_and_sites_are_refused(small: Agreement) -> None:
    with pytest.raises(ValidationError) as err:
        summarise_coverage([], small, days=[DAY, datetime(2025, 3, 20, tzinfo=UTC)])
    assert err.value.field == "days[1]"
    too_many = [DAY + timedelta(days=k) for k in range(MAX_DAYS + 1)]
    with pytest.raises(ValidationError) as err:
        summarise_coverage([], small, days=too_many)
    assert err.value.field == "days"
    with pytest.raises(ValidationError) as err:
        summarise_coverage([], small, sites=["P1"])  # type: ignore[list-item]
    assert err.value.field == "sites[0]"
    with pytest.raises(ValidationError) as err:
        summarise_coverage([], small, settings={"patrol_sight_m": 1})  # type: ignore[arg-type]
    assert err.value.field == "settings"


def test_records_spanning_centuries_need_explicit_days(small: Agreement) -> None:
    spans = ((datetime(1950, 1, 1, tzinfo=UTC), datetime(2950, 1, 1, tzinfo=UTC)),)
    forever = camera(30.5, LINE_LAT, spans=spans)
    with pytest.raises(ValidationError) as err:
        summarise_coverage([forever], small)
    assert err.value.field == "days"
    day = _only(summarise_coverage([forever], small, days=[DAY]))
    assert day.camera_hours == pytest.approx(24.0)


def test_sites_type_is_the_agreement_site(small: Agreement) -> None:
    # A hand-built Site works the same as one from the layer.
    site = Site(layer="x", id="S", name=None, category=None, lon=30.5, lat=LINE_LAT)
    day = _only(summarise_coverage([camera(30.5, LINE_LAT, 100)], small, sites=[site]))
    assert (day.sites_seen, day.sites_unseen) == (1, ())
