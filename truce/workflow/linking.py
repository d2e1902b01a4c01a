"""Linking: the observations that may show what an allegation claims, ranked, with reasons.

An analyst links a party's allegation to the mission's own observations of the
same event. :func:`rank_candidates` proposes the candidates — by place, time
and type, and by the compliance engine's assessments when they are available —
each with a score and the reasons for it, in words an analyst can check; the
analyst confirms a link (a signed record, outside this module). Pure
computation: no store, no clock.

**Model.** A claim or an observation is a point with an uncertainty radius (a
bearing location counts as its estimate,
:meth:`~truce.records.common.BearingLocation.estimate`) and a half-open time
interval (:meth:`~truce.records.common.TimeSpec.interval`: a time given to the
hour covers the hour). For the claim ``C`` and an observation ``O``:

* ``d`` — the geodesic distance in metres between their points (WGS84);
  ``u = u_C + u_O``, the sum of their uncertainty radii; ``excess = max(0, d - u)``,
  how far apart they are beyond what their uncertainties allow;
* ``g`` — the gap in seconds between their intervals, 0 when they overlap or
  adjoin;
* ``match`` — how their event types compare (:func:`type_match`): ``same``
  (category and subtype), ``compatible`` (same category, one subtype
  ``undetermined``), ``category`` (same category, other subtype), ``related``
  (a pair listed in :data:`RELATED_CATEGORIES`) or ``unrelated``.

**Which observations are candidates.** Those with ``excess <=
max_distance_m``, ``g <= max_gap`` and a match other than ``unrelated`` (an
unrelated one is a candidate only with ``include_unrelated``; see
:class:`LinkSettings`).

**Score** (in ``[0, 1]``, higher is better), a weighted mean of four parts in ``[0, 1]``::

    place      = 1 - excess / max_distance_m        (1 when max_distance_m is 0)
    time       = 1 - g / max_gap                    (1 when max_gap is 0)
    type       = MATCH_SCORES[match]
    compliance = max over O's assessments a of
                 STATUS_WEIGHTS[a.status] * (0.5 * [a.term is the term the claim invokes]
                                             + 0.5 * [a's feature is the claimed facility])
    score = (w_place*place + w_time*time + w_type*type + w_compliance*compliance)
            / (w_place + w_time + w_type + w_compliance)

The compliance part (and its weight) counts only when assessments are given
and the claim names a term or a facility: otherwise it is left out of both
sums, so the score keeps its ``[0, 1]`` scale. An assessment's feature is the
engine's ``layer/id`` (:mod:`truce.compliance.evaluate`), compared with the
claim's ``facility.layer + "/" + facility.id``. The score is rounded to 6
decimals and the distance to 0.1 m; candidates are sorted by score
(descending), then distance, then observation id — a total order, so the
result does not depend on the order of the input.

Example::

    ranked = rank_candidates(allegation, [(rid, obs), ...], assessments={rid: [...]})
    ranked[0].reasons  # ('1.2 km apart (within the claim's ±1 km and ...)', ...)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod

from truce.errors import ValidationError
from truce.records import Allegation, BearingLocation, Observation, PointLocation
from truce.records.allegation import Claim
from truce.records.common import Location, TimeSpec

__all__ = [
    "DEFAULT_SETTINGS",
    "MATCH_SCORES",
    "RELATED_CATEGORIES",
    "STATUS_WEIGHTS",
    "Candidate",
    "LinkSettings",
    "rank_candidates",
    "type_match",
]

_GEOD = Geod(ellps="WGS84")

#: Type part of the score per match level (see the module docstring).
MATCH_SCORES: Mapping[str, float] = MappingProxyType(
    {"same": 1.0, "compatible": 0.8, "category": 0.6, "related": 0.3, "unrelated": 0.0}
)

#: Pairs of different event categories that may describe one event, with why.
#: Symmetric; a category not listed with another (illumination_flare,
#: restriction_of_movement, uav_jamming) is related to none but itself.
RELATED_CATEGORIES: Mapping[frozenset[str], str] = MappingProxyType(
    {
        frozenset(pair): why
        for *pair, why in (
            ("explosion", "damage_civilian_object", "an explosion can damage civilian objects"),
            ("explosion", "civilian_casualty", "an explosion can cause civilian casualties"),
            ("explosion", "projectile_in_flight", "a projectile in flight ends in an explosion"),
            ("explosion", "muzzle_flash", "a muzzle flash marks the fire of a round"),
            ("explosion", "weapon_sighting", "a weapon seen nearby may have fired the round"),
            ("projectile_in_flight", "muzzle_flash", "a muzzle flash launches a projectile"),
            ("bursts_of_fire", "shots", "both are small-arms fire"),
            ("bursts_of_fire", "muzzle_flash", "a muzzle flash accompanies the fire"),
            ("shots", "muzzle_flash", "a muzzle flash accompanies the fire"),
            ("bursts_of_fire", "civilian_casualty", "fire can cause civilian casualties"),
            ("shots", "civilian_casualty", "shots can cause civilian casualties"),
            (
                "damage_civilian_object",
                "civilian_casualty",
                "damage and casualties often come from one strike",
            ),
        )
    }
)

#: Weight of a compliance ruling in the compliance part of the score.
STATUS_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"breach": 1.0, "possible_breach": 0.6, "no_breach": 0.0}
)

_STATUS_TEXT = {
    "breach": "a breach",
    "possible_breach": "a possible breach",
    "no_breach": "no breach",
}
_UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class LinkSettings:
    """How far candidates may be, and how the score's parts are weighed.

    Guarantees: construction validates every field and raises
    :class:`~truce.errors.ValidationError` naming the field: distances and
    weights are finite numbers ``>= 0``, ``max_gap`` a ``timedelta >= 0``, and
    ``place_weight``, ``time_weight``, ``type_weight`` are not all 0.
    """

    #: Largest distance beyond the two uncertainty radii (metres).
    max_distance_m: float = 25_000.0
    #: Largest gap between the two time intervals.
    max_gap: timedelta = timedelta(hours=48)
    #: Weight of the place part (closeness beyond the uncertainties).
    place_weight: float = 0.35
    #: Weight of the time part (gap between the intervals).
    time_weight: float = 0.25
    #: Weight of the type part (:data:`MATCH_SCORES`).
    type_weight: float = 0.25
    #: Weight of the compliance part (assessments naming the claimed term or facility).
    compliance_weight: float = 0.15
    #: Keep observations of an unrelated type (type part 0) instead of leaving them out.
    include_unrelated: bool = False

    def __post_init__(self) -> None:
        for name in ("max_distance_m", "place_weight", "time_weight", "type_weight"):
            _check_number(getattr(self, name), name)
        _check_number(self.compliance_weight, "compliance_weight")
        if not isinstance(self.max_gap, timedelta):
            raise ValidationError(
                f"must be a timedelta, not {type(self.max_gap).__name__}", field="max_gap"
            )
        if self.max_gap < timedelta(0):
            raise ValidationError("must not be negative", field="max_gap")
        if not isinstance(self.include_unrelated, bool):
            raise ValidationError("must be true or false", field="include_unrelated")
        if self.place_weight + self.time_weight + self.type_weight <= 0:
            raise ValidationError(
                "place_weight, time_weight and type_weight must not all be 0",
                field="place_weight",
            )


def _check_number(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"must be a number, not {type(value).__name__}", field=name)
    if not math.isfinite(value) or value < 0:
        raise ValidationError(f"must be a finite number >= 0, not {value}", field=name)


@dataclass(frozen=True)
class Candidate:
    """An observation that may show what the allegation claims, with its score and reasons."""

    #: Record id of the observation.
    observation: str
    #: Weighted mean of the parts, in [0, 1], rounded to 6 decimals; higher is better.
    score: float
    #: Geodesic distance between the claim's and the observation's points (m, 0.1 m).
    distance_m: float
    #: Seconds between the two time intervals; 0 when they overlap or adjoin.
    gap_s: float
    #: How the event types compare: a key of :data:`MATCH_SCORES`.
    match: str
    #: The parts of the score (see the module docstring), each in [0, 1].
    place_part: float
    time_part: float
    type_part: float
    #: None when the compliance part was not counted (no assessments, or nothing to match).
    compliance_part: float | None
    #: Why, in words: place, time, type, then each relevant compliance assessment.
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The candidate as JSON-ready values (lists, not tuples)."""
        return {
            "observation": self.observation,
            "score": self.score,
            "distance_m": self.distance_m,
            "gap_s": self.gap_s,
            "match": self.match,
            "parts": {
                "place": self.place_part,
                "time": self.time_part,
                "type": self.type_part,
                "compliance": self.compliance_part,
            },
            "reasons": list(self.reasons),
        }


#: The default settings.
DEFAULT_SETTINGS = LinkSettings()


def type_match(
    claim_category: str, claim_subtype: str | None, category: str, subtype: str | None
) -> tuple[str, str]:
    """How an observed event type compares with a claimed one: ``(level, reason)``.

    Guarantees: ``level`` is a key of :data:`MATCH_SCORES` — ``same`` when
    category and subtype are equal, ``compatible`` when the categories are
    equal and one subtype is ``undetermined``, ``category`` when only the
    categories are equal, ``related`` when the pair is in
    :data:`RELATED_CATEGORIES`, else ``unrelated``; ``reason`` says which, naming
    both types. Symmetric in its level.
    """
    seen = _what(category, subtype)
    claimed = _what(claim_category, claim_subtype)
    if claim_category == category:
        if claim_subtype == subtype:
            return "same", f"same category and subtype ({seen})"
        if _UNDETERMINED in (claim_subtype, subtype):
            who = "the observation" if subtype == _UNDETERMINED else "the claim"
            return "compatible", (
                f"same category ({category}); subtype undetermined in {who} "
                f"(claim {claimed}, seen {seen})"
            )
        return "category", f"same category, different subtype (claim {claimed}, seen {seen})"
    why = RELATED_CATEGORIES.get(frozenset((claim_category, category)))
    if why is not None:
        return "related", f"related types (claim {claimed}, seen {seen}): {why}"
    return "unrelated", f"unrelated types (claim {claimed}, seen {seen})"


def rank_candidates(
    allegation: Allegation,
    observations: Iterable[tuple[str, Observation]],
    *,
    assessments: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    settings: LinkSettings = DEFAULT_SETTINGS,
    limit: int | None = 10,
) -> list[Candidate]:
    """The observations that may show what ``allegation`` claims, best first.

    ``observations`` are ``(record id, Observation)`` pairs; ``assessments``
    maps an observation's record id to its compliance assessments (dicts as
    :func:`truce.views.assessment_dict` makes them), or is None when the
    engine's results are not available.

    Guarantees: exactly the candidates and scores of the module docstring,
    sorted by score (descending), distance, then observation id, at most
    ``limit`` of them (all when ``limit`` is None); the result does not depend
    on the order of ``observations`` or of each observation's assessments.
    Raises :class:`~truce.errors.ValidationError` naming the argument for a
    pair that is not ``(str, Observation)``, a repeated observation id, a
    ``limit`` below 1, or a malformed assessment of a candidate (assessments
    of observations that are not candidates are not read). Pure: no I/O.
    """
    if not isinstance(settings, LinkSettings):
        raise ValidationError("must be a LinkSettings", field="settings")
    if not isinstance(allegation, Allegation):
        raise ValidationError("must be an Allegation record", field="allegation")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValidationError("must be an integer >= 1, or None for all", field="limit")
    if assessments is not None and not isinstance(assessments, Mapping):
        raise ValidationError("must map observation ids to assessments", field="assessments")
    ids, records = _pairs(observations)
    if not ids:
        return []
    claim = allegation.claim
    here = _point(claim.location)
    c_start, c_end = claim.time.interval()
    c0, c1 = c_start.timestamp(), c_end.timestamp()

    memo: dict[tuple[str, str | None], str] = {}
    levels = [_level(claim, r, memo) for r in records]
    points = [_point(r.location) for r in records]
    spans = [r.time.interval() for r in records]
    lon = np.array([p.lon for p in points], dtype=np.float64)
    lat = np.array([p.lat for p in points], dtype=np.float64)
    unc = np.array([p.uncertainty_m for p in points], dtype=np.float64)
    start = np.array([s.timestamp() for s, _ in spans], dtype=np.float64)
    end = np.array([e.timestamp() for _, e in spans], dtype=np.float64)
    n = len(ids)

    _, _, dist = _GEOD.inv(np.full(n, here.lon), np.full(n, here.lat), lon, lat)
    dist = np.round(np.asarray(dist, dtype=np.float64), 1)
    excess = np.maximum(0.0, dist - (here.uncertainty_m + unc))
    gap = np.maximum(0.0, np.maximum(start, c0) - np.minimum(end, c1))
    max_d, max_g = float(settings.max_distance_m), settings.max_gap.total_seconds()
    related = np.array([lv != "unrelated" for lv in levels], dtype=bool)
    keep = (excess <= max_d) & (gap <= max_g) & (related | settings.include_unrelated)

    place = _closeness(excess, max_d)
    time = _closeness(gap, max_g)
    kind = np.array([MATCH_SCORES[lv] for lv in levels], dtype=np.float64)
    counted = assessments is not None and (claim.term is not None or claim.facility is not None)
    weights = settings.place_weight + settings.time_weight + settings.type_weight
    total = (
        settings.place_weight * place + settings.time_weight * time + settings.type_weight * kind
    )

    chosen = np.flatnonzero(keep).tolist()
    found: dict[int, tuple[float, list[str]]] = {}
    if counted and assessments is not None:
        weights += settings.compliance_weight
        comp = np.zeros(n, dtype=np.float64)
        for i in chosen:
            found[i] = _compliance(claim, ids[i], assessments.get(ids[i], ()))
            comp[i] = found[i][0]
        total = total + settings.compliance_weight * comp
    score = np.clip(np.round(total / weights, 6), 0.0, 1.0)

    chosen.sort(key=lambda i: (-float(score[i]), float(dist[i]), ids[i]))
    if limit is not None:
        chosen = chosen[:limit]
    out: list[Candidate] = []
    for i in chosen:
        record = records[i]
        comp_part, comp_reasons = found.get(i, (0.0, []))
        reasons = [
            _place_reason(claim.location, here, record.location, points[i], float(dist[i])),
            _time_reason(claim.time, record.time, float(gap[i]), c_end <= spans[i][0]),
            type_match(claim.category, claim.subtype, record.category, record.subtype)[1],
            *comp_reasons,
        ]
        out.append(
            Candidate(
                observation=ids[i],
                score=float(score[i]),
                distance_m=float(dist[i]),
                gap_s=float(gap[i]),
                match=levels[i],
                place_part=round(float(place[i]), 6),
                time_part=round(float(time[i]), 6),
                type_part=float(kind[i]),
                compliance_part=round(comp_part, 6) if counted else None,
                reasons=tuple(reasons),
            )
        )
    return out


# -- inputs ------------------------------------------------------------------


def _pairs(observations: Iterable[tuple[str, Observation]]) -> tuple[list[str], list[Observation]]:
    ids: list[str] = []
    records: list[Observation] = []
    seen: set[str] = set()
    for i, pair in enumerate(observations):
        where = f"observations[{i}]"
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValidationError("must be a (record id, Observation) pair", field=where)
        rid, record = pair
        if not isinstance(rid, str) or not rid:
            raise ValidationError("the record id must be a non-empty string", field=f"{where}[0]")
        if not isinstance(record, Observation):
            raise ValidationError(
                f"must be an Observation record, not {type(record).__name__}", field=f"{where}[1]"
            )
        if rid in seen:
            raise ValidationError(f"observation {rid} is given twice", field=f"{where}[0]")
        seen.add(rid)
        ids.append(rid)
        records.append(record)
    return ids, records


def _point(location: Location) -> PointLocation:
    return location.estimate() if isinstance(location, BearingLocation) else location


def _level(claim: Claim, record: Observation, memo: dict[tuple[str, str | None], str]) -> str:
    key = (record.category, record.subtype)
    if key not in memo:
        memo[key] = type_match(claim.category, claim.subtype, *key)[0]
    return memo[key]


def _closeness(beyond: NDArray[np.float64], bound: float) -> NDArray[np.float64]:
    """``1 - beyond / bound`` clipped to [0, 1]; 1 where ``beyond`` is 0 (also when bound is 0)."""
    if bound <= 0:
        return np.where(beyond <= 0, 1.0, 0.0)
    out: NDArray[np.float64] = np.clip(1.0 - beyond / bound, 0.0, 1.0)
    return out


# -- compliance --------------------------------------------------------------


def _compliance(
    claim: Claim, rid: str, rows: Sequence[Mapping[str, Any]]
) -> tuple[float, list[str]]:
    """The compliance part of one observation and a reason per relevant assessment."""
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise ValidationError("must be a list of assessments", field=f"assessments[{rid}]")
    facility = f"{claim.facility.layer}/{claim.facility.id}" if claim.facility else None
    scored: list[tuple[float, str]] = []
    for j, row in enumerate(rows):
        where = f"assessments[{rid}][{j}]"
        if not isinstance(row, Mapping):
            raise ValidationError("must be an assessment mapping", field=where)
        term, status = row.get("term"), row.get("status")
        if not isinstance(term, str):
            raise ValidationError("must be a term id", field=f"{where}.term")
        if not isinstance(status, str) or status not in STATUS_WEIGHTS:
            raise ValidationError(
                "must be one of " + ", ".join(STATUS_WEIGHTS), field=f"{where}.status"
            )
        explanation = row.get("explanation") or {}
        if not isinstance(explanation, Mapping):
            raise ValidationError("must be a mapping", field=f"{where}.explanation")
        feature = explanation.get("feature")
        if feature is not None and not isinstance(feature, str):
            raise ValidationError(
                "must be a 'layer/id' string", field=f"{where}.explanation.feature"
            )
        on_term = claim.term is not None and term == claim.term.id
        at_site = facility is not None and feature == facility
        if not (on_term or at_site):
            continue
        value = STATUS_WEIGHTS[status] * (0.5 * on_term + 0.5 * at_site)
        text = _compliance_reason(claim, term, status, row, explanation, at_site=at_site)
        scored.append((value, text))
    scored = sorted(set(scored), key=lambda s: (-s[0], s[1]))
    return (scored[0][0] if scored else 0.0), [text for _, text in scored]


def _compliance_reason(
    claim: Claim,
    term: str,
    status: str,
    row: Mapping[str, Any],
    explanation: Mapping[str, Any],
    *,
    at_site: bool,
) -> str:
    on_term = claim.term is not None and term == claim.term.id
    text = f"the compliance engine rules the observation {_STATUS_TEXT[status]} of {term}"
    list_id = row.get("list")
    if isinstance(list_id, str) and list_id:
        text += f" for list {list_id}"
    agreement = row.get("agreement")
    if claim.term is not None and on_term and isinstance(agreement, str):
        cited = str(claim.term.agreement_version)
        if agreement.rpartition("@")[2] != cited:
            text += f" (assessed under {agreement}; the claim cites version {cited})"
    if on_term and not at_site:
        text += ", the term the claim invokes"
    feature = explanation.get("feature")
    if not feature:
        return text
    text += f" at the claimed facility {feature}" if at_site else f"; nearest feature {feature}"
    distance = _number(explanation.get("distance_m"))
    farther = _number(explanation.get("farther_than_m"))
    if distance is not None:
        text += f" ({_length(distance)})"
    elif farther is not None:
        text += f" (farther than {_length(farther)})"
    return text


def _number(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


# -- words -------------------------------------------------------------------


def _what(category: str, subtype: str | None) -> str:
    return f"{category}/{subtype}" if subtype else category


def _length(metres: float) -> str:
    """``850 m``, ``1.2 km``, ``25 km``: metres below 1 km, else km to 0.1 (whole from 10 km)."""
    if metres < 999.5:
        return f"{metres:.0f} m"
    km = metres / 1000
    text = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    return text.removesuffix(".0") + " km"


def _radius(whose: str, location: Location, point: PointLocation) -> str:
    text = f"{whose} ±{_length(point.uncertainty_m)}"
    if isinstance(location, BearingLocation):
        text += " (estimated from a bearing)"
    return text


def _place_reason(
    c_loc: Location, claim: PointLocation, o_loc: Location, seen: PointLocation, dist: float
) -> str:
    mine = _radius("the claim's", c_loc, claim)
    theirs = _radius("the observation's", o_loc, seen)
    radii = f"{mine} and {theirs}"
    allowed = claim.uncertainty_m + seen.uncertainty_m
    if allowed <= 0:
        return f"{_length(dist)} apart (both positions exact)"
    if dist <= allowed:
        return f"{_length(dist)} apart (within {radii})"
    return f"{_length(dist)} apart, {_length(dist - allowed)} beyond {radii}"


def _when(spec: TimeSpec, day: date | None = None) -> str:
    """A time spec in words; the date is left out when it is ``day``."""
    start, end = spec.interval()
    prefix = "" if start.date() == day else f"{start:%Y-%m-%d} "
    if spec.at is not None and spec.precision == "second":
        return f"{prefix}{start:%H:%M:%S}Z"
    if spec.at is not None and spec.precision == "minute":
        return f"{prefix}{start:%H:%M}Z"
    if end.date() == start.date():
        return f"{prefix}{start:%H:%M}–{end:%H:%M}Z"
    return f"{start:%Y-%m-%d %H:%M}Z–{end:%Y-%m-%d %H:%M}Z"


def _duration(seconds: float) -> str:
    """``2 d 4 h``, ``3 h 20 min``, ``45 min``, ``30 s`` (two units at most, rounded down)."""
    left = int(seconds)
    units = (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1))
    parts: list[str] = []
    for name, size in units:
        count, left = divmod(left, size)
        if count or parts:
            parts.append(f"{count} {name}")
        if len(parts) == 2:
            break
    parts = [p for p in parts if not p.startswith("0 ")] or ["under 1 s"]
    return " ".join(parts)


def _time_reason(claimed: TimeSpec, seen: TimeSpec, gap: float, after: bool) -> str:
    c_start, c_end = claimed.interval()
    o_start, o_end = seen.interval()
    times = f"(claim {_when(claimed)}, seen {_when(seen, c_start.date())})"
    if max(c_start, o_start) < min(c_end, o_end):
        return f"times overlap {times}"
    if gap <= 0:
        return f"times adjoin {times}"
    side = "after" if after else "before"
    return f"seen {_duration(gap)} {side} the claimed time {times}"
