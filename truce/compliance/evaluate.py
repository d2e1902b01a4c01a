"""Evaluate events against an agreement's terms, vectorised, with explanations as data.

For each event and each term that concerns it (the event's category is one the
term lists; for a withdrawal, a weapon sighting of a listed class) the engine
rules ``breach``, ``possible_breach`` or ``no_breach`` — never a false
certainty — from two independent questions:

**When.** The event's time is an interval ``[start, end)`` (a time given to
the hour covers the hour). Against the term's periods (its repair windows, for
a window term) it is *within* (wholly inside one period), *partly within*
(overlapping one) or *outside*.

**Where.** Geodesic metres on the WGS84 ellipsoid (:mod:`.geodesy`), with the
event's uncertainty radius ``u``. Against a limit ``L`` (a moratorium's or a
window's radius around a site, a withdrawal distance from a line) the event is
*certainly within* when ``d + u <= L``, *certainly outside* when ``d - u > L``,
and *possibly within* otherwise. Inside a zone: certainly inside when the point
is inside and at least ``u`` from the boundary, certainly outside likewise,
possibly otherwise.

The ruling is ``breach`` when both answers are certain, ``no_breach`` when
either is certainly no, and ``possible_breach`` otherwise. Per term type:

* ``ceasefire`` — listed events during the period, anywhere (or in ``zone``).
  ``across`` names the line fire must not cross; an observation of an
  explosion does not tell from which side it was fired, so the distance to
  the line is measured and reported, not used as a condition.
* ``energy_moratorium`` — listed events within ``radius_km`` of a protected
  site while the moratorium is in force, **per site list**: each party's list
  is evaluated on its own, so a strike near a plant on one list only is a
  breach for that list and ``no_breach`` for the other — the difference is
  explicit in the results.
* ``withdrawal`` — a weapon sighting of a listed class closer than
  ``distance_km`` to the line.
* ``window`` — listed events during a window within ``radius_km`` of the site
  (or in the zone).
* ``all_of`` / ``any_of`` — the worst / best of the children
  (:mod:`truce.agreement.policy`), per site list when a child has lists (a child
  without that list contributes its single ruling); an event concerns a
  composite when it concerns any child.

Explanations are data (:class:`Results` columns): the term and agreement
version, the site list, the feature concerned (``layer/id``), the measured
distance and the limit, the uncertainty used, the time status and the offset
of the event's start from the period's start.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from truce.agreement import (
    Agreement,
    AllOf,
    AnyOf,
    Ceasefire,
    Composite,
    EnergyMoratorium,
    Period,
    Site,
    Term,
    Window,
    Withdrawal,
)
from truce.agreement.terms import ZoneRef
from truce.compliance import geodesy
from truce.compliance.events import Codes, Events
from truce.errors import ValidationError

__all__ = [
    "BREACH",
    "NO_BREACH",
    "POSSIBLE_BREACH",
    "STATUS_NAMES",
    "TIME_STATUS_NAMES",
    "Results",
    "evaluate",
    "evaluate_in_force",
    "regions",
]

NO_BREACH, POSSIBLE_BREACH, BREACH = 0, 1, 2
#: Status code -> name (the values of :class:`truce.agreement.policy.Status`).
STATUS_NAMES = ("no_breach", "possible_breach", "breach")
#: Time status code -> name.
TIME_STATUS_NAMES = ("outside", "partly_within", "within")

_I8 = np.int8


@dataclass(frozen=True, eq=False)
class Results:
    """One row per (event, term, site list) the event concerns, as parallel arrays.

    ``event`` indexes the evaluated :class:`Events`; ``list_id`` is ``""`` for a
    term without site lists; ``distance_m``/``limit_m`` are NaN when the term
    measures no distance; ``feature`` is ``"layer/id"`` of the site, line or
    zone concerned (``""`` if none).
    """

    event: NDArray[np.int64]
    agreement_id: Codes
    version: NDArray[np.int64]
    term_id: Codes
    list_id: Codes
    status: NDArray[np.int8]
    time_status: NDArray[np.int8]
    distance_m: NDArray[np.float64]
    limit_m: NDArray[np.float64]
    uncertainty_m: NDArray[np.float64]
    feature: Codes
    time_offset_s: NDArray[np.float64]
    #: How far the distance was searched: an infinite ``distance_m`` means "farther".
    searched_m: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.event)

    @classmethod
    def concat(cls, parts: Sequence[Results]) -> Results:
        names = list(cls.__dataclass_fields__)
        if len(parts) == 1:
            return parts[0]
        return cls(**{n: _join(n, [getattr(p, n) for p in parts]) for n in names})

    def reindexed(self, index: NDArray[np.int64]) -> Results:
        """The same rows with ``event`` mapped through ``index`` (sub-batch -> batch)."""
        fields = {n: getattr(self, n) for n in self.__dataclass_fields__}
        fields["event"] = index[self.event]
        return Results(**fields)

    def rows(self) -> list[dict[str, object]]:
        """The results as plain dicts (names for codes, None for NaN/empty)."""
        out: list[dict[str, object]] = []
        agreement_id, term_id = self.agreement_id.labels(), self.term_id.labels()
        list_id, feature = self.list_id.labels(), self.feature.labels()
        for i in range(len(self)):
            d, lim = float(self.distance_m[i]), float(self.limit_m[i])
            row: dict[str, object] = {}
            if np.isinf(d):  # not within the searched radius: only a bound is known
                row["farther_than_m"] = float(self.searched_m[i])
            out.append(
                row
                | {
                    "event": int(self.event[i]),
                    "agreement_id": str(agreement_id[i]),
                    "version": int(self.version[i]),
                    "term_id": str(term_id[i]),
                    "list_id": str(list_id[i]) or None,
                    "status": STATUS_NAMES[int(self.status[i])],
                    "time_status": TIME_STATUS_NAMES[int(self.time_status[i])],
                    "distance_m": None if not np.isfinite(d) else round(d, 1),
                    "limit_m": None if np.isnan(lim) else lim,
                    "uncertainty_m": float(self.uncertainty_m[i]),
                    "feature": str(feature[i]) or None,
                    "time_offset_s": float(self.time_offset_s[i]),
                }
            )
        return out


_DTYPES = {
    "event": np.int64,
    "agreement_id": Codes,
    "version": np.int64,
    "term_id": Codes,
    "list_id": Codes,
    "status": np.int8,
    "time_status": np.int8,
    "distance_m": np.float64,
    "limit_m": np.float64,
    "uncertainty_m": np.float64,
    "feature": Codes,
    "time_offset_s": np.float64,
    "searched_m": np.float64,
}


def _join(name: str, parts: Sequence[Any]) -> Any:
    """One column from its parts (none: an empty column of the right type)."""
    kind = _DTYPES[name]
    if kind is Codes:
        return Codes.concat(parts)
    return np.concatenate(parts) if parts else np.empty(0, dtype=kind)


@dataclass
class _Eval:
    """One term (and list) over all events of the batch (full-length arrays)."""

    concerned: NDArray[np.bool_]
    status: NDArray[np.int8]
    time_status: NDArray[np.int8]
    offset: NDArray[np.float64]
    distance: NDArray[np.float64]
    limit: float = float("nan")
    feature: Codes = field(default_factory=lambda: Codes.constant("", 0))
    #: How far the distance was searched when it is not the limit + uncertainty.
    searched: float = float("nan")


def _time(
    events: Events, periods: Sequence[Period]
) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
    """Time status of each event against ``periods``, and its offset from that period's start."""
    status = np.zeros(len(events), dtype=_I8)
    offset = np.full(len(events), np.nan)
    for period in periods:
        ps = period.start.timestamp()
        pe = np.inf if period.end is None else period.end.timestamp()
        inside = (events.start >= ps) & (events.end <= pe)
        overlap = (events.start < pe) & (events.end > ps)
        here = np.where(inside, 2, np.where(overlap, 1, 0)).astype(_I8)
        better = (here > status) | np.isnan(offset)
        offset = np.where(better, events.start - ps, offset)
        status = np.maximum(status, here)
    return status, offset


class _Times:
    """:func:`_time` of one batch of events, once per distinct set of periods."""

    def __init__(self, events: Events) -> None:
        self.events = events
        self._done: dict[tuple[tuple[float, float], ...], tuple[Any, Any]] = {}

    def __call__(self, periods: Sequence[Period]) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
        key = tuple(
            (p.start.timestamp(), np.inf if p.end is None else p.end.timestamp()) for p in periods
        )
        if key not in self._done:
            self._done[key] = _time(self.events, periods)
        return self._done[key]


class _Measurable(Protocol):
    def distance(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], *, within_m: Any = None
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]: ...


def _measure(
    index: _Measurable, events: Events, need: NDArray[np.bool_], within: NDArray[np.float64] | float
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Distances of the ``need``-ed events only (NaN and -1 elsewhere: not measured).

    An event a term does not concern, or whose time is outside the term's
    periods, is ``no_breach`` whatever its distance; measuring it would cost
    the most and change nothing.
    """
    n = len(events)
    distance = np.full(n, np.nan)
    which = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(need)
    if len(idx):
        bound = within[idx] if isinstance(within, np.ndarray) else within
        distance[idx], which[idx] = index.distance(events.lon[idx], events.lat[idx], within_m=bound)
    return distance, which


def _filled(k: int, value: object) -> NDArray[np.object_]:
    """An object array of ``k`` references to one value (``np.full`` would copy a str k times)."""
    out = np.empty(k, dtype=object)
    out.fill(value)
    return out


def _against_limit(
    d: NDArray[np.float64], u: NDArray[np.float64], limit: float
) -> NDArray[np.int8]:
    """2 certainly within ``limit``, 0 certainly beyond, 1 possibly (uncertainty straddles it)."""
    unmeasured = np.isnan(d)  # not concerned or outside the period: the time rules it out
    return np.where(
        unmeasured, 0, np.where(d + u <= limit, 2, np.where(d - u > limit, 0, 1))
    ).astype(_I8)


def _combine(time: NDArray[np.int8], space: NDArray[np.int8]) -> NDArray[np.int8]:
    """Breach only if both are certain; no breach if either is certainly no."""
    return np.minimum(time, space)


#: Distance to the ceasefire's ``across`` line is reported up to this far (beyond:
#: "farther"). It is information, not a condition, and measuring far costs the most.
ACROSS_REPORT_M = 10_000.0


#: ``layer/id`` of each feature of an index, ``""`` first (for index -1: none).
_Labels = tuple[str, ...]


def _features(labels: _Labels, which: NDArray[np.int64]) -> Codes:
    """The ``layer/id`` of feature ``which`` per event (``""`` where -1)."""
    return Codes((which + 1).astype(np.int32), labels)


class _Geography:
    """The agreement's geometries as search indexes, built once per agreement version."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self._sites: dict[str, tuple[geodesy.SiteIndex, _Labels]] = {}
        self._lines: dict[str, tuple[geodesy.LineIndex, _Labels]] = {}
        self._regions: tuple[geodesy.ZoneIndex, NDArray[np.object_]] | None = None
        self._zones: dict[tuple[str, tuple[str, ...]], tuple[geodesy.ZoneIndex, _Labels]] = {}

    def sites(self, key: str, sites: Sequence[Site]) -> tuple[geodesy.SiteIndex, _Labels]:
        """An index of ``sites`` and their ``layer/id`` labels (``""`` first, for index -1)."""
        if key not in self._sites:
            index = geodesy.SiteIndex([s.lon for s in sites], [s.lat for s in sites])
            labels = ("", *(f"{s.layer}/{s.id}" for s in sites))
            self._sites[key] = (index, labels)
        return self._sites[key]

    def zone(self, ref: ZoneRef) -> tuple[geodesy.ZoneIndex, _Labels]:
        key = (ref.layer, ref.ids)
        if key not in self._zones:
            layer = self.agreement.layer(ref.layer)
            index = geodesy.ZoneIndex([layer.feature(i).geometry for i in ref.ids])
            labels = ("", *(f"{ref.layer}/{i}" for i in ref.ids))
            self._zones[key] = (index, labels)
        return self._zones[key]

    def regions(self) -> tuple[geodesy.ZoneIndex, NDArray[np.object_]] | None:
        """An index of the first zone layer (e.g. oblasts) and its feature names
        (``""`` first, for index -1); None if the agreement has no zones."""
        if not self.agreement.layers.zones:
            return None
        if self._regions is None:
            layer = self.agreement.layers.zones[0]
            index = geodesy.ZoneIndex([f.geometry for f in layer.features])
            names = np.array(["", *((f.name or f.id) for f in layer.features)], dtype=object)
            self._regions = (index, names)
        return self._regions

    def line(self, layer_id: str) -> tuple[geodesy.LineIndex, _Labels]:
        if layer_id not in self._lines:
            layer = self.agreement.layer(layer_id)
            index = geodesy.LineIndex([f.geometry for f in layer.features])
            labels = ("", *(f"{layer_id}/{f.id}" for f in layer.features))
            self._lines[layer_id] = (index, labels)
        return self._lines[layer_id]


_GEOGRAPHY: weakref.WeakKeyDictionary[Agreement, _Geography] = weakref.WeakKeyDictionary()


def _geography(agreement: Agreement) -> _Geography:
    geo = _GEOGRAPHY.get(agreement)
    if geo is None:
        geo = _GEOGRAPHY[agreement] = _Geography(agreement)
    return geo


def _in_zone(events: Events, geo: _Geography, ref: ZoneRef) -> tuple[NDArray[np.int8], Codes]:
    index, labels = geo.zone(ref)
    where = index.locate(events.lon, events.lat)
    # Only whether the boundary lies within the uncertainty radius matters.
    to_edge, _ = index.distance_to_boundary(events.lon, events.lat, within_m=events.uncertainty_m)
    clear = to_edge > events.uncertainty_m
    space = np.where(clear, np.where(where >= 0, 2, 0), 1).astype(_I8)
    return space, _features(labels, where)


def _leaf(
    term: Term,
    agreement: Agreement,
    events: Events,
    geo: _Geography,
    times: _Times,
) -> dict[str, _Eval]:
    n = len(events)
    nan = np.full(n, np.nan)
    blank = Codes.constant("", n)
    u = events.uncertainty_m
    if isinstance(term, Ceasefire):
        concerned = events.category.isin(term.events)
        time, offset = times(term.periods)
        space = np.full(n, 2, dtype=_I8)
        feature, distance, searched = blank, nan, np.nan
        if term.zone is not None:
            space, feature = _in_zone(events, geo, term.zone)
        if term.across is not None:
            across, labels = geo.line(term.across)
            need = concerned & (time > 0)
            distance, which = _measure(across, events, need, ACROSS_REPORT_M)
            searched = ACROSS_REPORT_M
            if term.zone is None:
                feature = _features(labels, which)
        ev = _Eval(concerned, _combine(time, space), time, offset, distance, feature=feature)
        ev.searched = searched
        return {"": ev}
    if isinstance(term, EnergyMoratorium):
        concerned = events.category.isin(term.events)
        time, offset = times(term.periods)
        limit = term.radius_km * 1000.0
        out: dict[str, _Eval] = {}
        for list_id, sites in agreement.protected_sites(term).items():
            key = "" if list_id == term.id else list_id
            site_index, labels = geo.sites(f"{term.id}/{list_id}", sites)
            # Beyond limit + u the ruling is certain whatever the exact distance.
            distance, which = _measure(site_index, events, concerned & (time > 0), limit + u)
            space = _against_limit(distance, u, limit)
            feature = _features(labels, which)
            ev = _Eval(concerned, _combine(time, space), time, offset, distance, limit, feature)
            out[key] = ev
        return out
    if isinstance(term, Withdrawal):
        concerned = events.category.isin(["weapon_sighting"])
        concerned &= events.weapon_class.isin(term.weapon_classes)
        time, offset = times(term.periods)
        limit = term.distance_km * 1000.0
        line, labels = geo.line(term.line)
        distance, which = _measure(line, events, concerned & (time > 0), limit + u)
        space = _against_limit(distance, u, limit)
        feature = _features(labels, which)
        return {"": _Eval(concerned, _combine(time, space), time, offset, distance, limit, feature)}
    if isinstance(term, Window):
        concerned = events.category.isin(term.events)
        time, offset = times(term.periods)
        if term.site is not None and term.radius_km is not None:
            (sites,) = agreement.protected_sites(term).values()
            site_index, labels = geo.sites(term.id, sites)
            limit = term.radius_km * 1000.0
            distance, which = _measure(site_index, events, concerned & (time > 0), limit + u)
            space = _against_limit(distance, u, limit)
            feature = Codes.constant(f"{term.site.layer}/{term.site.id}", n)
            return {
                "": _Eval(concerned, _combine(time, space), time, offset, distance, limit, feature)
            }
        if term.zone is not None:
            space, feature = _in_zone(events, geo, term.zone)
            return {"": _Eval(concerned, _combine(time, space), time, offset, nan, feature=feature)}
        raise ValidationError(
            f"window term {term.id!r} has neither a site nor a zone", field="terms"
        )
    raise ValidationError(f"no evaluator for term type {term.type!r}", field="terms")


def _composite(term: Composite, children: list[dict[str, _Eval]], n: int) -> dict[str, _Eval]:
    worst = isinstance(term, AllOf)
    if not worst and not isinstance(term, AnyOf):
        raise ValidationError(f"no combiner for composite type {term.type!r}", field="terms")
    lists = sorted({k for child in children for k in child if k})
    out: dict[str, _Eval] = {}
    for key in lists or [""]:
        picked = [child.get(key) or child.get("") or _worst_of(child) for child in children]
        concerned = np.logical_or.reduce([c.concerned for c in picked])
        # A child the event does not concern rules no_breach for it.
        statuses = np.stack([np.where(c.concerned, c.status, NO_BREACH) for c in picked])
        status = (statuses.max(axis=0) if worst else statuses.min(axis=0)).astype(_I8)
        times = np.stack([c.time_status for c in picked]).max(axis=0).astype(_I8)
        out[key] = _Eval(concerned, status, times, np.full(n, np.nan), np.full(n, np.nan))
    return out


def _worst_of(child: dict[str, _Eval]) -> _Eval:
    evals = list(child.values())
    status = np.stack([e.status for e in evals]).max(axis=0).astype(_I8)
    concerned = np.logical_or.reduce([e.concerned for e in evals])
    return _Eval(concerned, status, evals[0].time_status, evals[0].offset, evals[0].distance)


def evaluate(agreement: Agreement, events: Events) -> Results:
    """Rule on every event against every term of ``agreement`` (this version, as given)."""
    n = len(events)
    geo = _geography(agreement)
    done: dict[str, dict[str, _Eval]] = {}
    times = _Times(events)

    def term_eval(term: Term) -> dict[str, _Eval]:
        if term.id not in done:
            if isinstance(term, Composite):
                kids = [term_eval(agreement.term(c)) for c in term.children]
                done[term.id] = _composite(term, kids, n)
            else:
                done[term.id] = _leaf(term, agreement, events, geo, times)
        return done[term.id]

    # Each (term, list) fills its rows of columns allocated once; the columns that
    # are constant per (term, list) are codes into a small table, not a value per row.
    groups = [
        (term.id, list_id, ev, np.flatnonzero(ev.concerned))
        for term in agreement.terms
        for list_id, ev in term_eval(term).items()
    ]
    sizes = [len(idx) for *_, idx in groups]
    total = sum(sizes)
    cols: dict[str, NDArray[Any]] = {
        name: np.empty(total, dtype=kind)
        for name, kind in _DTYPES.items()
        if kind is not Codes and name != "version"
    }
    feature = np.empty(total, dtype=np.int32)
    labels: list[str] = []
    u = events.uncertainty_m
    at = 0
    for (_, _, ev, idx), k in zip(groups, sizes, strict=True):
        rows = slice(at, at + k)
        at += k
        cols["event"][rows] = idx
        np.take(ev.status, idx, out=cols["status"][rows])
        np.take(ev.time_status, idx, out=cols["time_status"][rows])
        np.take(ev.distance, idx, out=cols["distance_m"][rows])
        cols["limit_m"][rows] = ev.limit
        np.take(u, idx, out=cols["uncertainty_m"][rows])
        np.take(ev.offset, idx, out=cols["time_offset_s"][rows])
        if np.isnan(ev.limit):
            cols["searched_m"][rows] = ev.searched
        else:
            np.add(cols["uncertainty_m"][rows], ev.limit, out=cols["searched_m"][rows])
        if len(ev.feature):
            np.take(ev.feature.codes, idx, out=feature[rows])
            feature[rows] += len(labels)
            labels.extend(ev.feature.values)
        else:
            feature[rows] = len(labels)
            labels.append("")
    group = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    return Results(
        agreement_id=Codes.constant(agreement.id, total),
        version=np.full(total, agreement.version, dtype=np.int64),
        term_id=Codes(group, tuple(g[0] for g in groups)),
        list_id=Codes(group, tuple(g[1] for g in groups)),
        feature=Codes(feature, tuple(labels)),
        **cols,
    )


def regions(agreement: Agreement, events: Events) -> NDArray[np.object_]:
    """The name of the feature of the agreement's first zone layer (e.g. the
    oblast) each event lies in; ``""`` outside every zone or without zones."""
    found = _geography(agreement).regions()
    if found is None:
        return _filled(len(events), "")
    index, names = found
    return names[index.locate(events.lon, events.lat) + 1]


def region_of(agreement: Agreement) -> Callable[[float, float], str]:
    """A lookup ``(lon, lat) -> name`` of the feature of the agreement's first zone
    layer (``""`` outside every zone or without zones), for one point at a time."""
    found = _geography(agreement).regions()
    if found is None:
        return lambda lon, lat: ""
    index, names = found

    def lookup(lon: float, lat: float) -> str:
        at = index.locate(np.array([lon], dtype=np.float64), np.array([lat], dtype=np.float64))
        return str(names[int(at[0]) + 1])

    return lookup


def evaluate_in_force(versions: Sequence[Agreement], events: Events) -> Results:
    """Evaluate each event against the version of its agreement in force when it began.

    The version in force at time ``t`` is the highest version whose
    ``effective`` time is at or before ``t``; an event before every version's
    ``effective`` time is not evaluated against that agreement. Several
    agreements (ids) are each evaluated. Row order: by agreement id, version,
    term, list, event — the same whatever order or batches the events come in.
    """
    parts: list[Results] = []
    by_id: dict[str, list[Agreement]] = {}
    for a in versions:
        by_id.setdefault(a.id, []).append(a)
    for agreement_id in sorted(by_id):
        chain = sorted(by_id[agreement_id], key=lambda a: a.version)
        effective = np.array([_ts(a.effective) for a in chain])
        # For each event: the last version (by number) effective at its start.
        best = np.full(len(events), -1, dtype=np.int64)
        for i, eff in enumerate(effective):
            best = np.where(events.start >= eff, i, best)
        for i, agreement in enumerate(chain):
            index = np.flatnonzero(best == i)
            if len(index):
                parts.append(evaluate(agreement, events.take(index)).reindexed(index))
    return Results.concat(parts)


def _ts(at: datetime) -> float:
    return at.timestamp()
