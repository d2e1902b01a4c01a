"""Hypothesis strategies for valid record payloads (JSON-ready dicts), one per type."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from truce.records.common import PRECISIONS
from truce.records.coverage import COVERAGE_KINDS
from truce.records.evidence import CUSTODY_ACTIONS
from truce.records.key import ROLES
from truce.records.observation import OBSERVATION_SOURCES, SEALABLE_PATHS
from truce.records.vocabulary import (
    COMPASS_POINTS,
    DISTANCE_BANDS,
    EVENT_CATEGORIES,
    EVENT_SUBTYPES,
    WEAPON_CLASSES,
)

Draw = Any

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
aware = st.datetimes(
    min_value=datetime(1901, 1, 1), max_value=datetime(2998, 12, 31), timezones=offsets
)
times = aware.map(lambda dt: dt.isoformat())
hexes = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)
keyids = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
parties = st.from_regex(r"[A-Z][A-Z0-9_-]{0,15}", fullmatch=True)
pseudonyms = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)
missions = st.from_regex(r"[a-z0-9][a-z0-9.-]{1,62}", fullmatch=True)
term_ids = st.from_regex(r"[a-z][a-z0-9_-]{0,20}(\.[a-z0-9_-]{1,10}){0,3}", fullmatch=True)


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=max_size).filter(lambda s: bool(s.strip()))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


points = st.builds(
    lambda lon, lat, unc: {"kind": "point", "lon": lon, "lat": lat, "uncertainty_m": unc},
    finite(-180, 180),
    finite(-90, 90),
    finite(0, 500_000),
)
bearings = st.builds(
    lambda obs, d, b: {"kind": "bearing", "observer": obs, "direction": d, "distance_band": b},
    points,
    st.sampled_from(COMPASS_POINTS),
    st.sampled_from(DISTANCE_BANDS),
)
locations = points | bearings


@st.composite
def time_specs(draw: Draw) -> dict[str, Any]:
    if draw(st.booleans()):
        spec = {"at": draw(times)}
        precision = draw(maybe(st.sampled_from(PRECISIONS)))
        return spec if precision is None else {**spec, "precision": precision}
    start = draw(
        st.datetimes(
            min_value=datetime(1901, 1, 1), max_value=datetime(2990, 1, 1), timezones=offsets
        )
    )
    length = draw(st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=400)))
    return {"start": start.isoformat(), "end": (start + length).isoformat()}


def subtype_for(category: str) -> st.SearchStrategy[str | None]:
    allowed = EVENT_SUBTYPES.get(category)
    return st.none() if allowed is None else st.sampled_from(allowed)


@st.composite
def headers(draw: Draw, kind: str) -> dict[str, Any]:
    if draw(st.booleans()):
        label: dict[str, Any] = {"synthetic": True, "source": "synthetic"}
    else:
        label = {
            "synthetic": draw(st.sampled_from([None, False])),
            "source": draw(maybe(texts(64).filter(lambda s: s != "synthetic"))),
        }
    return drop_none(
        {
            "type": kind,
            "mission": draw(missions),
            "signed_at": draw(times),
            **label,
            "note": draw(maybe(texts(200))),
        }
    )


def _unique(strategy: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, max_size=max_size, unique=True)


weapons = st.builds(
    lambda c, t, n: drop_none({"class": c, "type": t, "count": n}),
    st.sampled_from(WEAPON_CLASSES),
    maybe(texts(100)),
    st.integers(1, 100_000),
)


@st.composite
def observations(draw: Draw) -> dict[str, Any]:
    category = draw(st.sampled_from(EVENT_CATEGORIES))
    weapon = draw(weapons if category == "weapon_sighting" else maybe(weapons))
    sealed = draw(_unique(st.sampled_from(SEALABLE_PATHS), 4))
    return drop_none(
        {
            **draw(headers("observation")),
            "category": category,
            "subtype": draw(subtype_for(category)),
            "count": draw(st.integers(1, 100_000)),
            "weapon": weapon,
            "location": draw(locations),
            "time": draw(time_specs()),
            "observed_by": drop_none(
                {
                    "source": draw(st.sampled_from(OBSERVATION_SOURCES)),
                    "team": None if "observed_by.team" in sealed else draw(maybe(texts(64))),
                    "monitor": None if "observed_by.monitor" in sealed else draw(maybe(pseudonyms)),
                }
            ),
            "description": None if "description" in sealed else draw(maybe(texts())),
            "evidence": [] if "evidence" in sealed else draw(_unique(hexes, 5)),
            "sealed": {path: draw(hexes) for path in sealed} or None,
        }
    )


@st.composite
def _ordered_times(draw: Draw, n_min: int, n_max: int, strict: bool) -> list[datetime]:
    start = draw(
        st.datetimes(
            min_value=datetime(1901, 1, 1), max_value=datetime(2990, 1, 1), timezones=offsets
        )
    )
    low = timedelta(microseconds=1) if strict else timedelta(0)
    steps = draw(
        st.lists(
            st.timedeltas(min_value=low, max_value=timedelta(days=2)),
            min_size=n_min,
            max_size=n_max,
        )
    )
    out = [start]
    for step in steps:
        out.append(out[-1] + step)
    return out


@st.composite
def coverages(draw: Draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(COVERAGE_KINDS))
    base = {**draw(headers("coverage")), "kind": kind}
    if kind == "patrol_track":
        ts = draw(_ordered_times(1, 20, strict=False))
        track = [
            {"lon": draw(finite(-180, 180)), "lat": draw(finite(-90, 90)), "t": t.isoformat()}
            for t in ts
        ]
        return {**base, "team": draw(texts(64)), "track": track}
    if kind == "camera_uptime":
        ts = draw(_ordered_times(1, 9, strict=True))
        pairs = list(zip(ts[0::2], ts[1::2], strict=False))
        intervals = [{"start": a.isoformat(), "end": b.isoformat()} for a, b in pairs]
        return {
            **base,
            "camera": draw(texts(128)),
            "location": draw(points),
            "view_radius_m": draw(finite(0.001, 50_000)),
            "intervals": intervals,
        }
    return drop_none(
        {
            **base,
            "team": draw(texts(64)),
            "location": draw(locations),
            "time": draw(time_specs()),
            "restriction": draw(st.sampled_from(["denied", "conditional", "delayed"])),
            "by": draw(maybe(parties | st.just("unknown"))),
            "reason": draw(texts()),
        }
    )


term_refs = st.builds(
    lambda i, v: {"id": i, "agreement_version": v}, term_ids, st.integers(1, 1_000_000)
)


@st.composite
def allegations(draw: Draw) -> dict[str, Any]:
    party, against = draw(st.lists(parties, min_size=2, max_size=2, unique=True))
    category = draw(st.sampled_from(EVENT_CATEGORIES))
    facility = draw(
        maybe(
            st.builds(
                lambda lay, i, n: drop_none({"layer": lay, "id": i, "name": n}),
                texts(128),
                texts(128),
                maybe(texts(200)),
            )
        )
    )
    claim = drop_none(
        {
            "category": category,
            "subtype": draw(subtype_for(category)),
            "location": draw(locations),
            "time": draw(time_specs()),
            "facility": facility,
            "term": draw(maybe(term_refs)),
            "casualties": draw(maybe(st.integers(0, 1_000_000))),
            "description": draw(texts()),
        }
    )
    return drop_none(
        {
            **draw(headers("allegation")),
            "party": party,
            "against": against,
            "reference": draw(maybe(texts(128))),
            "claim": claim,
            "evidence": draw(_unique(hexes, 5)),
            "statement": draw(maybe(texts(500))),
        }
    )


@st.composite
def findings(draw: Draw) -> dict[str, Any]:
    allegation_refs = draw(_unique(hexes, 4))
    observation_refs = draw(_unique(hexes, 4).filter(lambda xs: xs or allegation_refs))
    attribution = draw(
        st.builds(lambda p, b: {"status": "attributed", "party": p, "basis": b}, parties, texts())
        | st.builds(lambda r: {"status": "not_attributed", "reason": r}, texts())
    )
    return drop_none(
        {
            **draw(headers("finding")),
            "finding_id": draw(maybe(texts(128))),
            "allegations": allegation_refs,
            "observations": observation_refs,
            "term": draw(term_refs),
            "certainty": draw(st.sampled_from(["confirmed", "probable", "possible"])),
            "outcome": draw(st.sampled_from(["breach", "no_breach", "undetermined"])),
            "attribution": attribution,
            "summary": draw(texts(300)),
        }
    )


@st.composite
def corrections(draw: Draw) -> dict[str, Any]:
    supersedes = draw(hexes)
    return drop_none(
        {
            **draw(headers("correction")),
            "supersedes": supersedes,
            "reason": draw(texts()),
            "replacement": draw(maybe(hexes.filter(lambda h: h != supersedes))),
        }
    )


media_types = st.from_regex(r"[a-z0-9][a-z0-9.+-]{0,20}/[a-z0-9][a-z0-9.+-]{0,20}", fullmatch=True)


@st.composite
def evidences(draw: Draw) -> dict[str, Any]:
    sha = draw(hexes)
    original = draw(st.booleans())
    derived = None if original else draw(maybe(hexes.filter(lambda h: h != sha)))
    return drop_none(
        {
            **draw(headers("evidence")),
            "sha256": sha,
            "media_type": draw(media_types),
            "size": draw(st.integers(0, 2**40)),
            "captured_at": draw(times),
            "action": draw(st.sampled_from(CUSTODY_ACTIONS)),
            "holder": draw(pseudonyms),
            "original": original,
            "derived_from": derived,
            "description": draw(maybe(texts())),
        }
    )


@st.composite
def correspondences(draw: Draw) -> dict[str, Any]:
    a, b = draw(st.lists(parties, min_size=2, max_size=2, unique=True))
    thread = draw(maybe(hexes))
    sealed = draw(st.booleans())
    body: dict[str, Any] = {"body": draw(texts(2000))}
    if sealed:
        keys = draw(st.lists(keyids, min_size=2, max_size=4, unique=True))
        box = st.binary(min_size=49, max_size=200).map(lambda b: base64.b64encode(b).decode())
        body = {"sealed_body": [{"keyid": k, "box": draw(box)} for k in keys]}
    content = (
        None
        if thread
        else ("public" if not sealed else draw(st.sampled_from(["mission", "parties"])))
    )
    return drop_none(
        {
            **draw(headers("correspondence")),
            "from_party": a,
            "to_party": b,
            "subject": draw(texts(300)),
            **body,
            "thread": thread,
            "content": content,
            "in_reply_to": draw(maybe(hexes)) if thread else None,
            "language": draw(
                maybe(st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}", fullmatch=True))
            ),
        }
    )


public_keys = st.binary(min_size=32, max_size=32).map(lambda b: base64.b64encode(b).decode())


@st.composite
def key_events(draw: Draw) -> dict[str, Any]:
    action = draw(st.sampled_from(["enrol", "rotate", "revoke"]))
    keyid = draw(keyids)
    body: dict[str, Any] = {"action": action, "keyid": keyid}
    if action == "revoke":
        body["reason"] = draw(texts())
        role = draw(maybe(st.sampled_from(ROLES)))
        principal = draw(maybe(pseudonyms))
    else:
        body["public_key"] = draw(public_keys)
        role = draw(st.sampled_from(ROLES))
        principal = draw(pseudonyms)
        body["reason"] = draw(maybe(texts()))
    body["role"] = role
    body["principal"] = principal
    if role == "party":
        body["party"] = draw(parties)
    if action == "rotate":
        body["replaces"] = draw(keyids.filter(lambda k: k != keyid))
    return drop_none({**draw(headers("key")), **body})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | finite(-1e300, 1e300)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=10), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@st.composite
def agreements(draw: Draw) -> dict[str, Any]:
    agreement_id = draw(missions)
    version = draw(st.integers(1, 1_000_000))
    extra = draw(
        st.dictionaries(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=10).filter(
                lambda k: k not in ("id", "version")
            ),
            json_values,
            max_size=5,
        )
    )
    return {
        **draw(headers("agreement")),
        "agreement_id": agreement_id,
        "version": version,
        "document": {"id": agreement_id, "version": version, **extra},
    }


#: type -> strategy of valid payload dicts.
PAYLOADS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "observation": observations(),
    "coverage": coverages(),
    "allegation": allegations(),
    "finding": findings(),
    "correction": corrections(),
    "evidence": evidences(),
    "correspondence": correspondences(),
    "key": key_events(),
    "agreement": agreements(),
}
any_payload = st.one_of(*PAYLOADS.values())
