"""Candidate links between an allegation and observations: bounds, score, order, reasons."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from truce.errors import ValidationError
from truce.records import Allegation, Observation, parse_record
from truce.records.vocabulary import EVENT_CATEGORIES
from truce.workflow.linking import (
    MATCH_SCORES,
    RELATED_CATEGORIES,
    Candidate,
    LinkSettings,
    rank_candidates,
    type_match,
)

GEOD = Geod(ellps="WGS84")
#: The claimed point (±1 km) and hour [02:00, 03:00) of 21 March.
LON, LAT = 35.08, 47.51
CLAIM_START = datetime(2025, 3, 21, 2, 0, tzinfo=UTC)
FACILITY = "gppd/WRI1005101"


def rid(n: int) -> str:
    return f"{n:064x}"


def east(metres: float, *, north: float = 0.0) -> tuple[float, float]:
    """The point ``metres`` east (and ``north`` metres north) of the claimed point."""
    lon, lat, _ = GEOD.fwd(LON, LAT, 90.0, metres)
    if north:
        lon, lat, _ = GEOD.fwd(lon, lat, 0.0, north)
    return float(lon), float(lat)


def claim_record(**claim: Any) -> Allegation:
    body: dict[str, Any] = {
        "category": "explosion",
        "subtype": "impact",
        "location": {"kind": "point", "lon": LON, "lat": LAT, "uncertainty_m": 1000},
        "time": {"at": "2025-03-21T02:00:00Z", "precision": "hour"},
        "facility": {"layer": "gppd", "id": "WRI1005101", "name": "Zaporizhia power station"},
        "term": {"id": "moratorium.energy", "agreement_version": 1},
        "description": "Strike on the power station.",
    }
    body.update(claim)
    body = {k: v for k, v in body.items() if v is not None}
    payload = {
        "type": "allegation",
        "mission": "smm-east",
        "signed_at": "2025-03-21T08:00:00Z",
        "party": "A",
        "against": "B",
        "claim": body,
    }
    record = parse_record(json.dumps(payload).encode())
    assert isinstance(record, Allegation)
    return record


def seen(
    metres: float = 0.0,
    *,
    north: float = 0.0,
    unc: float = 500,
    at: datetime | str = "2025-03-21T02:23:00Z",
    category: str = "explosion",
    subtype: str | None = "impact",
    location: dict[str, Any] | None = None,
) -> Observation:
    lon, lat = east(metres, north=north)
    when = at if isinstance(at, str) else at.isoformat()
    payload: dict[str, Any] = {
        "type": "observation",
        "mission": "smm-east",
        "signed_at": "2025-03-25T00:00:00Z",
        "category": category,
        "location": location or {"kind": "point", "lon": lon, "lat": lat, "uncertainty_m": unc},
        "time": {"at": when, "precision": "minute"},
        "observed_by": {"source": "patrol", "team": "team-01"},
    }
    if subtype is not None:
        payload["subtype"] = subtype
    record = parse_record(json.dumps(payload).encode())
    assert isinstance(record, Observation)
    return record


def assessment(
    term: str = "moratorium.energy",
    status: str = "breach",
    feature: str | None = FACILITY,
    distance_m: float | None = 1800.0,
    agreement: str = "ua-energy-ceasefire@1",
) -> dict[str, Any]:
    explanation: dict[str, Any] = {"time_status": "within", "uncertainty_m": 500.0}
    if feature is not None:
        explanation["feature"] = feature
    if distance_m is not None:
        explanation["distance_m"] = distance_m
    return {
        "agreement": agreement,
        "term": term,
        "list": "energy-A",
        "status": status,
        "day": "2025-03-21",
        "region": "Zaporizhzhia",
        "explanation": explanation,
    }


def ids(candidates: list[Candidate]) -> list[str]:
    return [c.observation for c in candidates]


# -- ranking and reasons -------------------------------------------------------


def test_the_nearby_same_type_observation_ranks_first_with_its_reasons() -> None:
    observations = [
        (rid(1), seen(8_000)),  # same type, farther
        (rid(2), seen(1_200, category="damage_civilian_object", subtype=None)),  # related
        (rid(3), seen(1_200)),  # the one
        (rid(4), seen(1_200, subtype="outgoing")),  # same category only
        (rid(5), seen(1_200, at="2025-03-21T09:00:00Z")),  # six hours later
    ]
    ranked = rank_candidates(claim_record(), observations)
    # 8 km away but the same type (0.893) outranks the other subtype nearby (0.882).
    assert ids(ranked) == [rid(3), rid(5), rid(1), rid(4), rid(2)]
    best = ranked[0]
    assert best.reasons == (
        "1.2 km apart (within the claim's ±1 km and the observation's ±500 m)",
        "times overlap (claim 2025-03-21 02:00–03:00Z, seen 02:23Z)",
        "same category and subtype (explosion/impact)",
    )
    assert best.distance_m == pytest.approx(1_200, abs=0.1)
    assert best.gap_s == 0
    assert best.match == "same"
    assert best.compliance_part is None  # no assessments given: not counted
    assert best.score == 1.0
    later = ranked[1]
    assert later.gap_s == 6 * 3600
    assert later.reasons[1] == (
        "seen 6 h after the claimed time (claim 2025-03-21 02:00–03:00Z, seen 09:00Z)"
    )
    assert ranked[3].reasons[2] == (
        "same category, different subtype (claim explosion/impact, seen explosion/outgoing)"
    )
    far = ranked[2]
    assert far.reasons[0] == (
        "8 km apart, 6.5 km beyond the claim's ±1 km and the observation's ±500 m"
    )
    assert ranked[4].reasons[2] == (
        "related types (claim explosion/impact, seen damage_civilian_object): "
        "an explosion can damage civilian objects"
    )


def test_the_score_is_the_documented_weighted_mean() -> None:
    # 10 km beyond the radii, 12 h after the claimed hour, same category only.
    obs = seen(11_500, at=CLAIM_START + timedelta(hours=13))
    (c,) = rank_candidates(claim_record(), [(rid(1), obs)])
    s = LinkSettings()
    assert c.place_part == pytest.approx(1 - 10_000 / 25_000, abs=1e-5)
    assert c.time_part == pytest.approx(1 - 12 / 48, abs=1e-6)
    assert c.type_part == MATCH_SCORES["same"]
    expected = (
        s.place_weight * c.place_part + s.time_weight * c.time_part + s.type_weight * c.type_part
    ) / (s.place_weight + s.time_weight + s.type_weight)
    assert c.score == pytest.approx(expected, abs=1e-6)
    # With assessments (none relevant) the compliance weight counts, and the part is 0.
    (with_engine,) = rank_candidates(claim_record(), [(rid(1), obs)], assessments={})
    assert with_engine.compliance_part == 0.0
    assert with_engine.score == pytest.approx(expected * (1 - s.compliance_weight / 1.0), abs=1e-5)


def test_an_observation_seen_before_and_one_from_a_bearing_say_so() -> None:
    bearing = {
        "kind": "bearing",
        "observer": {"kind": "point", "lon": LON, "lat": LAT - 0.04, "uncertainty_m": 10},
        "direction": "N",
        "distance_band": "3-5km",
    }
    obs = seen(at="2025-03-21T00:30:00Z", location=bearing)
    (c,) = rank_candidates(claim_record(), [(rid(1), obs)])
    estimate = obs.location.estimate()  # type: ignore[union-attr]
    _, _, expected = GEOD.inv(LON, LAT, estimate.lon, estimate.lat)
    assert c.distance_m == pytest.approx(expected, abs=0.1)
    assert "the observation's ±" in c.reasons[0]
    assert c.reasons[0].endswith("(estimated from a bearing))")
    assert c.reasons[1] == (
        "seen 1 h 29 min before the claimed time (claim 2025-03-21 02:00–03:00Z, seen 00:30Z)"
    )
    assert c.gap_s == 89 * 60


# -- bounds ----------------------------------------------------------------------


def test_far_away_or_days_apart_is_excluded() -> None:
    edge = 1_000 + 500 + 25_000  # the two radii and max_distance_m
    end = CLAIM_START + timedelta(hours=1)
    observations = [
        (rid(1), seen(edge - 50)),
        (rid(2), seen(edge + 50)),
        (rid(3), seen(at=end + timedelta(hours=48))),  # gap exactly max_gap
        (rid(4), seen(at=end + timedelta(hours=48, minutes=1))),
        (rid(5), seen(at=CLAIM_START - timedelta(days=3))),
        (rid(6), seen(category="restriction_of_movement", subtype="denied")),  # unrelated
    ]
    ranked = rank_candidates(claim_record(), observations, limit=None)
    assert sorted(ids(ranked)) == [rid(1), rid(3)]
    by_id = {c.observation: c for c in ranked}
    assert by_id[rid(1)].place_part == pytest.approx(50 / 25_000, abs=1e-5)
    assert by_id[rid(3)].time_part == 0.0

    wide = LinkSettings(max_distance_m=30_000, max_gap=timedelta(days=4), include_unrelated=True)
    ranked = rank_candidates(claim_record(), observations, settings=wide, limit=None)
    assert sorted(ids(ranked)) == [rid(n) for n in range(1, 7)]
    unrelated = next(c for c in ranked if c.observation == rid(6))
    assert unrelated.match == "unrelated"
    assert unrelated.type_part == 0.0
    assert unrelated.reasons[2] == (
        "unrelated types (claim explosion/impact, seen restriction_of_movement/denied)"
    )


def test_zero_bounds_keep_only_consistent_observations() -> None:
    strict = LinkSettings(max_distance_m=0, max_gap=timedelta(0))
    observations = [
        (rid(1), seen(1_400)),  # within the radii
        (rid(2), seen(1_600)),  # 100 m beyond them
        (rid(3), seen(at=CLAIM_START + timedelta(hours=1))),  # adjoins the claimed hour
    ]
    ranked = rank_candidates(claim_record(), observations, settings=strict, limit=None)
    assert sorted(ids(ranked)) == [rid(1), rid(3)]
    assert all(c.place_part == 1.0 and c.time_part == 1.0 for c in ranked)
    adjoining = next(c for c in ranked if c.observation == rid(3))
    assert adjoining.reasons[1].startswith("times adjoin (")


def test_limit_keeps_the_best() -> None:
    observations = [(rid(n), seen(1_000 * n)) for n in range(1, 16)]
    assert ids(rank_candidates(claim_record(), observations)) == [rid(n) for n in range(1, 11)]
    assert ids(rank_candidates(claim_record(), observations, limit=3)) == [rid(1), rid(2), rid(3)]
    assert len(rank_candidates(claim_record(), observations, limit=None)) == 15
    assert rank_candidates(claim_record(), []) == []


# -- compliance -----------------------------------------------------------------


def test_an_assessment_naming_the_claimed_facility_raises_the_rank() -> None:
    # Mirror images: the same distance, the same time, the same type.
    observations = [(rid(1), seen(2_000, north=300)), (rid(2), seen(2_000, north=-300))]
    plain = rank_candidates(claim_record(), observations, assessments={})
    assert ids(plain) == [rid(1), rid(2)]  # a tie, broken by distance then id
    assessed = {rid(2): [assessment(term="ceasefire.general", status="breach")]}
    ranked = rank_candidates(claim_record(), observations, assessments=assessed)
    assert ids(ranked) == [rid(2), rid(1)]
    assert ranked[0].compliance_part == 0.5  # the facility, not the term
    assert ranked[0].score > plain[0].score
    assert ranked[0].reasons[3] == (
        "the compliance engine rules the observation a breach of ceasefire.general "
        "for list energy-A at the claimed facility gppd/WRI1005101 (1.8 km)"
    )


@pytest.mark.parametrize(
    ("row", "part", "reason"),
    [
        (
            assessment(),
            1.0,
            "the compliance engine rules the observation a breach of moratorium.energy "
            "for list energy-A at the claimed facility gppd/WRI1005101 (1.8 km)",
        ),
        (
            assessment(status="possible_breach", feature="gppd/OTHER", distance_m=4000),
            0.3,
            "the compliance engine rules the observation a possible breach of "
            "moratorium.energy for list energy-A, the term the claim invokes; "
            "nearest feature gppd/OTHER (4 km)",
        ),
        (
            assessment(status="no_breach", agreement="ua-energy-ceasefire@2"),
            0.0,
            "the compliance engine rules the observation no breach of moratorium.energy "
            "for list energy-A (assessed under ua-energy-ceasefire@2; the claim cites "
            "version 1) at the claimed facility gppd/WRI1005101 (1.8 km)",
        ),
        (assessment(term="ceasefire.general", feature="contact-line/x"), 0.0, None),
    ],
)
def test_compliance_part_and_reason(row: dict[str, Any], part: float, reason: str | None) -> None:
    (c,) = rank_candidates(claim_record(), [(rid(1), seen())], assessments={rid(1): [row]})
    assert c.compliance_part == pytest.approx(part)
    assert c.reasons[3:] == ((reason,) if reason else ())


def test_the_best_assessment_counts_and_every_relevant_one_is_explained() -> None:
    rows = [assessment(status="no_breach"), assessment(status="possible_breach")]
    (c,) = rank_candidates(claim_record(), [(rid(1), seen())], assessments={rid(1): rows})
    assert c.compliance_part == pytest.approx(0.6)
    head = "the compliance engine rules the observation"
    assert len(c.reasons) == 5
    assert c.reasons[3].startswith(f"{head} a possible breach of moratorium.energy")
    assert c.reasons[4].startswith(f"{head} no breach of moratorium.energy")


def test_a_claim_without_term_or_facility_does_not_count_compliance() -> None:
    claim = claim_record(term=None, facility=None)
    assessed = {rid(1): [assessment()]}
    (c,) = rank_candidates(claim, [(rid(1), seen())], assessments=assessed)
    assert c.compliance_part is None
    assert c.score == 1.0
    assert len(c.reasons) == 3


# -- order -------------------------------------------------------------------------


def test_ties_sort_by_distance_then_id() -> None:
    # All within the radii, overlapping in time, same type: equal scores.
    observations = [
        (rid(9), seen(300)),
        (rid(7), seen(100)),
        (rid(8), seen(100)),
        (rid(6), seen(200)),
    ]
    ranked = rank_candidates(claim_record(), observations)
    assert len({c.score for c in ranked}) == 1
    assert ids(ranked) == [rid(7), rid(8), rid(6), rid(9)]


_CATEGORIES = [
    ("explosion", "impact"),
    ("explosion", "outgoing"),
    ("explosion", "undetermined"),
    ("damage_civilian_object", None),
    ("shots", None),
    ("uav_jamming", None),
]

_observation_params = st.tuples(
    st.floats(-30_000, 30_000),  # metres east
    st.floats(-30_000, 30_000),  # metres north
    st.sampled_from([0.0, 50.0, 500.0, 3_000.0]),  # uncertainty
    st.integers(-80 * 60, 80 * 60),  # minutes from the claimed start
    st.sampled_from(_CATEGORIES),
)


@settings(max_examples=40, deadline=None)
@given(
    params=st.lists(_observation_params, min_size=1, max_size=10),
    seed=st.integers(0, 2**16),
    assessed=st.lists(st.sampled_from(["breach", "possible_breach", "no_breach"]), max_size=10),
    limit=st.none() | st.integers(1, 5),
)
def test_input_order_does_not_change_the_result(
    params: list[tuple[float, float, float, int, tuple[str, str | None]]],
    seed: int,
    assessed: list[str],
    limit: int | None,
) -> None:
    observations = [
        (
            rid(i),
            seen(e, north=n, unc=u, at=CLAIM_START + timedelta(minutes=m), category=c, subtype=s),
        )
        for i, (e, n, u, m, (c, s)) in enumerate(params)
    ]
    assessments = {rid(i): [assessment(status=status)] for i, status in enumerate(assessed)}
    claim = claim_record()
    ranked = rank_candidates(claim, observations, assessments=assessments, limit=limit)
    shuffled = observations[:]
    random.Random(seed).shuffle(shuffled)
    assert rank_candidates(claim, shuffled, assessments=assessments, limit=limit) == ranked

    keys = [(-c.score, c.distance_m, c.observation) for c in ranked]
    assert keys == sorted(keys)
    assert limit is None or len(ranked) <= limit
    for c in ranked:
        assert 0.0 <= c.score <= 1.0
        parts = [c.place_part, c.time_part, c.type_part, c.compliance_part]
        assert all(p is not None and 0.0 <= p <= 1.0 for p in parts)

    # Exactly the observations within the bounds and of a related type are candidates.
    everything = {c.observation for c in rank_candidates(claim, observations, limit=None)}
    end = CLAIM_START + timedelta(hours=1)
    for oid, obs in observations:
        loc = obs.location
        assert loc.kind == "point"
        _, _, d = GEOD.inv(LON, LAT, loc.lon, loc.lat)
        start, stop = obs.time.interval()
        gap = max(timedelta(0), start - end, CLAIM_START - stop)
        level, _ = type_match("explosion", "impact", obs.category, obs.subtype)
        near = d - (1_000 + loc.uncertainty_m) <= 25_000 + 0.1
        inside = d - (1_000 + loc.uncertainty_m) <= 25_000 - 0.1
        expected = gap <= timedelta(hours=48) and level != "unrelated"
        if not expected or not near:
            assert oid not in everything
        elif inside:
            assert oid in everything


# -- types ---------------------------------------------------------------------------


def test_the_relatedness_table_uses_the_vocabulary() -> None:
    for pair, why in RELATED_CATEGORIES.items():
        assert len(pair) == 2
        assert pair <= set(EVENT_CATEGORIES)
        assert why
        a, b = sorted(pair)
        assert type_match(a, None, b, None)[0] == type_match(b, None, a, None)[0] == "related"
    assert set(MATCH_SCORES) == {"same", "compatible", "category", "related", "unrelated"}
    assert list(MATCH_SCORES.values()) == sorted(MATCH_SCORES.values(), reverse=True)


@pytest.mark.parametrize(
    ("claimed", "observed", "level"),
    [
        (("explosion", "impact"), ("explosion", "impact"), "same"),
        (("shots", None), ("shots", None), "same"),
        (("explosion", "impact"), ("explosion", "undetermined"), "compatible"),
        (("explosion", "undetermined"), ("explosion", "outgoing"), "compatible"),
        (("explosion", "impact"), ("explosion", "outgoing"), "category"),
        (("explosion", "impact"), ("civilian_casualty", None), "related"),
        (("explosion", "impact"), ("uav_jamming", None), "unrelated"),
        (("shots", None), ("bursts_of_fire", None), "related"),
    ],
)
def test_type_match_levels(
    claimed: tuple[str, str | None], observed: tuple[str, str | None], level: str
) -> None:
    assert type_match(*claimed, *observed)[0] == level
    assert type_match(*observed, *claimed)[0] == level


# -- to_dict ---------------------------------------------------------------------------


def test_to_dict_is_json_ready() -> None:
    (c,) = rank_candidates(claim_record(), [(rid(1), seen(700))], assessments={})
    data = json.loads(json.dumps(c.to_dict()))
    assert data == {
        "observation": rid(1),
        "score": c.score,
        "distance_m": c.distance_m,
        "gap_s": 0.0,
        "match": "same",
        "parts": {"place": 1.0, "time": 1.0, "type": 1.0, "compliance": 0.0},
        "reasons": list(c.reasons),
    }
    assert c.score == pytest.approx(1 - LinkSettings().compliance_weight, abs=1e-6)


# -- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"max_distance_m": -1.0}, "max_distance_m"),
        ({"max_distance_m": math.nan}, "max_distance_m"),
        ({"max_distance_m": "25 km"}, "max_distance_m"),
        ({"max_distance_m": True}, "max_distance_m"),
        ({"max_gap": timedelta(hours=-1)}, "max_gap"),
        ({"max_gap": 3600}, "max_gap"),
        ({"place_weight": -0.1}, "place_weight"),
        ({"time_weight": math.inf}, "time_weight"),
        ({"type_weight": None}, "type_weight"),
        ({"compliance_weight": -1}, "compliance_weight"),
        ({"include_unrelated": "yes"}, "include_unrelated"),
        ({"place_weight": 0, "time_weight": 0, "type_weight": 0}, "place_weight"),
    ],
)
def test_bad_settings_name_the_field(over: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        LinkSettings(**over)
    assert caught.value.field == field


def test_zero_compliance_weight_and_whole_numbers_are_fine() -> None:
    s = LinkSettings(max_distance_m=10_000, compliance_weight=0)
    assert s.max_distance_m == 10_000


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c, o: rank_candidates(c, o, limit=0), "limit"),
        (lambda c, o: rank_candidates(c, [*o, (rid(1), o[0][1])]), "observations[1][0]"),
        (lambda c, o: rank_candidates(c, [(rid(1), c)]), "observations[0][1]"),
        (lambda c, o: rank_candidates(c, [rid(1)]), "observations[0]"),  # type: ignore[list-item]
        (lambda c, o: rank_candidates(o[0][1], o), "allegation"),
        (lambda c, o: rank_candidates(c, o, settings={"max_gap": 1}), "settings"),  # type: ignore[arg-type]
        (
            lambda c, o: rank_candidates(c, o, assessments={rid(1): [{"term": "x"}]}),
            f"assessments[{rid(1)}][0].status",
        ),
        (
            lambda c, o: rank_candidates(c, o, assessments={rid(1): ["breach"]}),  # type: ignore[list-item]
            f"assessments[{rid(1)}][0]",
        ),
    ],
)
# The wrong types below are the point of the test (hence the type: ignore comments).
def test_bad_arguments_name_the_field(call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call(claim_record(), [(rid(1), seen())])
    assert caught.value.field == field


def test_assessments_of_excluded_observations_are_not_read() -> None:
    far = seen(100_000)
    broken: Any = {rid(1): [None]}  # would be refused if it were read
    assert rank_candidates(claim_record(), [(rid(1), far)], assessments=broken) == []
