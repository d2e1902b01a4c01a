"""Semantic checks that the JSON Schema cannot express.

Each function returns the problems it found as :class:`truce.errors.FieldError`
(field paths relative to the document root), in document order, so the caller
can report all of them at once: ids unique, references resolve to a layer of
the right kind, site and zone ids exist, periods end after they start, site
lists' holders are parties, composite terms name existing terms and form no
cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from truce.agreement._document import join_path
from truce.agreement.geography import Layer, LayerKind
from truce.agreement.sites import SiteList, SiteListRef, SiteSelector
from truce.agreement.terms import (
    Ceasefire,
    Composite,
    EnergyMoratorium,
    Period,
    Term,
    Window,
    Withdrawal,
    ZoneRef,
)
from truce.agreement.vocabulary import JOINT, LAYER_KINDS
from truce.errors import FieldError

__all__ = [
    "check_composites",
    "check_ids",
    "check_site_lists",
    "check_terms",
]


def _duplicates(entries: Iterable[tuple[str, Any]], what: str) -> list[FieldError]:
    out: list[FieldError] = []
    first: dict[Any, str] = {}
    for field, value in entries:
        if value in first:
            out.append(FieldError(field, f"duplicate {what} {value!r} (first at {first[value]})"))
        else:
            first[value] = field
    return out


def check_ids(doc: Mapping[str, Any]) -> list[FieldError]:
    """Party ids, layer ids (across zones/lines/sites), site list ids and term ids are unique."""
    out = _duplicates(
        ((f"parties[{i}].id", p["id"]) for i, p in enumerate(doc["parties"])), "party id"
    )
    geography = doc.get("geography", {})
    out += _duplicates(
        (
            (f"geography.{kind}s[{i}].id", layer["id"])
            for kind in LAYER_KINDS
            for i, layer in enumerate(geography.get(f"{kind}s", ()))
        ),
        "layer id",
    )
    out += _duplicates(
        ((f"site_lists[{i}].id", s["id"]) for i, s in enumerate(doc.get("site_lists", ()))),
        "site list id",
    )
    out += _duplicates(((f"terms[{i}].id", t["id"]) for i, t in enumerate(doc["terms"])), "term id")
    return out


def _layer_problem(
    layers: Mapping[str, Layer], layer_id: str, kind: LayerKind, field: str
) -> FieldError | None:
    layer = layers.get(layer_id)
    if layer is None:
        same = sorted(lid for lid, lay in layers.items() if lay.kind == kind)
        return FieldError(
            field,
            f"unknown {kind} layer {layer_id!r} ({kind} layers: {', '.join(same) or 'none'})",
        )
    if layer.kind != kind:
        return FieldError(field, f"layer {layer_id!r} is a {layer.kind} layer, not a {kind} layer")
    return None


def _selector_problems(
    selector: SiteSelector, layers: Mapping[str, Layer], field: str
) -> list[FieldError]:
    problem = _layer_problem(layers, selector.layer, "site", join_path(field, "layer"))
    if problem is not None:
        return [problem]
    return [
        FieldError(join_path(field, *_split(p.field)), p.reason)
        for p in selector.problems(layers[selector.layer])
    ]


def _split(relative: str) -> tuple[str, ...]:
    # "include[2]" -> ("include[2]",) is fine for join_path; "" -> ().
    return (relative,) if relative else ()


def check_site_lists(
    site_lists: Sequence[SiteList], layers: Mapping[str, Layer], parties: Sequence[str]
) -> list[FieldError]:
    """Each list is held by a party or ``joint`` and selects at least one existing site."""
    out: list[FieldError] = []
    for i, site_list in enumerate(site_lists):
        field = f"site_lists[{i}]"
        if site_list.held_by != JOINT and site_list.held_by not in parties:
            out.append(
                FieldError(
                    f"{field}.held_by",
                    f"unknown party {site_list.held_by!r} "
                    f"(parties: {', '.join(parties)}; or {JOINT!r})",
                )
            )
        out += _selector_problems(site_list.selector, layers, field)
    return out


def _period_problems(period: Period, field: str) -> list[FieldError]:
    if period.end is not None and not period.end > period.start:
        return [
            FieldError(
                f"{field}.end",
                f"end {period.end.isoformat()} must be after start {period.start.isoformat()} "
                "(a period is [start, end))",
            )
        ]
    return []


def _zone_problems(zone: ZoneRef, layers: Mapping[str, Layer], field: str) -> list[FieldError]:
    problem = _layer_problem(layers, zone.layer, "zone", f"{field}.layer")
    if problem is not None:
        return [problem]
    layer = layers[zone.layer]
    return [
        FieldError(f"{field}.ids[{j}]", f"no zone {zone_id!r} in layer {zone.layer!r}")
        for j, zone_id in enumerate(zone.ids)
        if zone_id not in layer
    ]


def check_terms(
    terms: Sequence[Term], layers: Mapping[str, Layer], site_lists: Mapping[str, SiteList]
) -> list[FieldError]:
    """Periods are ordered; every layer, zone, site and site list a term names exists."""
    out: list[FieldError] = []
    for i, term in enumerate(terms):
        field = f"terms[{i}]"
        if isinstance(term, Ceasefire | EnergyMoratorium | Withdrawal):
            out += _period_problems(term.period, f"{field}.period")
        if isinstance(term, Ceasefire):
            if term.across is not None:
                p = _layer_problem(layers, term.across, "line", f"{field}.across")
                out += [p] if p else []
            if term.zone is not None:
                out += _zone_problems(term.zone, layers, f"{field}.zone")
        elif isinstance(term, EnergyMoratorium):
            sites = term.sites
            if isinstance(sites, SiteListRef):
                for j, list_id in enumerate(sites.lists):
                    where = (
                        f"{field}.sites.list"
                        if len(sites.lists) == 1
                        else (f"{field}.sites.lists[{j}]")
                    )
                    if list_id not in site_lists:
                        known = ", ".join(sorted(site_lists)) or "none"
                        out.append(
                            FieldError(where, f"unknown site list {list_id!r} (lists: {known})")
                        )
            else:
                out += _selector_problems(sites, layers, f"{field}.sites")
        elif isinstance(term, Withdrawal):
            p = _layer_problem(layers, term.line, "line", f"{field}.line")
            out += [p] if p else []
        elif isinstance(term, Window):
            for j, window in enumerate(term.windows):
                out += _period_problems(window, f"{field}.windows[{j}]")
            if term.site is not None:
                p = _layer_problem(layers, term.site.layer, "site", f"{field}.site.layer")
                if p is not None:
                    out.append(p)
                elif term.site.id not in layers[term.site.layer]:
                    out.append(
                        FieldError(
                            f"{field}.site.id",
                            f"no site {term.site.id!r} in layer {term.site.layer!r}",
                        )
                    )
            if term.zone is not None:
                out += _zone_problems(term.zone, layers, f"{field}.zone")
    return out


def check_composites(terms: Sequence[Term]) -> list[FieldError]:
    """Composite children exist, are not the term itself, and form no cycle."""
    index = {t.id: i for i, t in enumerate(terms)}
    out: list[FieldError] = []
    for i, term in enumerate(terms):
        if not isinstance(term, Composite):
            continue
        if not term.children:
            out.append(
                FieldError(
                    f"terms[{i}].terms",
                    f"empty {term.type}: a composite term must list at least one term "
                    "(terms fail closed)",
                )
            )
        for j, child in enumerate(term.children):
            if child == term.id:
                out.append(FieldError(f"terms[{i}].terms[{j}]", "a term cannot contain itself"))
            elif child not in index:
                out.append(
                    FieldError(
                        f"terms[{i}].terms[{j}]",
                        f"unknown term {child!r} (terms: {', '.join(sorted(index))})",
                    )
                )
    if out:
        return out
    return _cycles(terms, index)


def _cycles(terms: Sequence[Term], index: Mapping[str, int]) -> list[FieldError]:
    """Iterative depth-first search; reports the first edge that closes a cycle."""
    done: set[str] = set()
    for root in terms:
        if root.id in done:
            continue
        trail: list[str] = [root.id]
        on_trail = {root.id}
        stack: list[tuple[str, int]] = [(root.id, 0)]
        while stack:
            term_id, j = stack[-1]
            children = terms[index[term_id]].children
            if j == len(children):
                stack.pop()
                trail.pop()
                on_trail.discard(term_id)
                done.add(term_id)
                continue
            stack[-1] = (term_id, j + 1)
            child = children[j]
            if child in on_trail:
                cycle = " -> ".join([*trail[trail.index(child) :], child])
                return [
                    FieldError(
                        f"terms[{index[term_id]}].terms[{j}]", f"cycle in composite terms: {cycle}"
                    )
                ]
            if child not in done:
                trail.append(child)
                on_trail.add(child)
                stack.append((child, 0))
    return []
