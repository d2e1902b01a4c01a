"""What changed between two agreement versions, and how two site lists differ.

:func:`diff` compares two versions field by field: metadata, parties, terms
(each field of each term), layers (metadata, and features added, removed or
changed) and site lists (their definition, and the concrete sites they resolve
to, with names). The result is deterministic: changes come in a fixed section
order and are sorted by path inside each section.

:func:`diff_site_lists` compares two lists of one version: the sites one party
protects and the other does not (the problem of the 2025 energy moratorium,
whose two sides published different facility lists).

:func:`check_successor` enforces that a new version really is new: same
agreement id, a higher version number, and a bumped term version for every
term whose text changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from truce.agreement.geography import Site
from truce.agreement.model import Agreement
from truce.agreement.sites import SiteList
from truce.errors import FieldError, ValidationError

__all__ = [
    "AgreementDiff",
    "Change",
    "SiteListComparison",
    "check_successor",
    "diff",
    "diff_site_lists",
]

ChangeKind = Literal["added", "removed", "changed"]

_METADATA = (
    "format",
    "id",
    "version",
    "title",
    "description",
    "example",
    "time_zone",
    "signed",
    "effective",
    "evidentiary_standard",
)
_LAYER_FIELDS = (
    "kind",
    "title",
    "description",
    "attribution",
    "synthetic",
    "feature_id",
    "feature_name",
    "category",
)
_MAX_NAMES = 5
_MAX_SHOWN = 160


@dataclass(frozen=True)
class Change:
    """One difference: where (``terms[moratorium.energy].radius_km``), what kind, values."""

    path: str
    kind: ChangeKind
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """``{"path", "kind", "old", "new"}`` (values are plain JSON)."""
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}

    def describe(self) -> str:
        """One human-readable line."""
        if self.kind == "added":
            return f"{self.path}: added {_show(self.new)}"
        if self.kind == "removed":
            return f"{self.path}: removed (was {_show(self.old)})"
        return f"{self.path}: {_show(self.old)} -> {_show(self.new)}"


def _show(value: Any) -> str:
    if isinstance(value, Mapping) and "type" in value and "coordinates" in value:
        return f"<{value['type']} geometry>"
    if isinstance(value, str):
        text = value
    elif isinstance(value, list | dict):
        text = _compact(value)
    else:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@dataclass(frozen=True)
class SiteListComparison:
    """Sites in list ``a`` only, in list ``b`` only, and in both (sorted by site id)."""

    list_a: str
    list_b: str
    only_in_a: tuple[Site, ...]
    only_in_b: tuple[Site, ...]
    in_both: tuple[Site, ...]

    @property
    def identical(self) -> bool:
        """True iff both lists resolve to the same sites."""
        return not self.only_in_a and not self.only_in_b

    def summary_lines(self) -> list[str]:
        """E.g. ``only in energy-A: 27 sites (Bolgrad, ...)``; one line per side + common."""
        return [
            f"only in {self.list_a}: {_count_sites(self.only_in_a)}",
            f"only in {self.list_b}: {_count_sites(self.only_in_b)}",
            f"in both: {len(self.in_both)} site{'s' if len(self.in_both) != 1 else ''}",
        ]


def _names(sites: Iterable[Site]) -> str:
    items = [s.name or s.id for s in sites]
    shown = ", ".join(items[:_MAX_NAMES])
    return shown + (f", ... {len(items) - _MAX_NAMES} more" if len(items) > _MAX_NAMES else "")


def _count_sites(sites: tuple[Site, ...]) -> str:
    n = len(sites)
    return f"{n} site{'s' if n != 1 else ''}" + (f" ({_names(sites)})" if sites else "")


@dataclass(frozen=True)
class AgreementDiff:
    """All changes from ``old_version`` to ``new_version`` of agreement ``agreement_id``."""

    agreement_id: str
    old_version: int
    new_version: int
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def summary_lines(self) -> list[str]:
        """Human-readable lines: one per change, site changes grouped per site list.

        E.g. ``site list energy-B: +1 site (Zaporizhia power station), -0 sites``.
        """
        lines = [f"{self.agreement_id}: version {self.old_version} -> {self.new_version}"]
        site_changes: dict[str, tuple[list[Change], list[Change]]] = {}
        feature_changes: dict[str, list[Change]] = {}
        for change in self.changes:
            if change.path.startswith("site_lists[") and ".sites[" in change.path:
                list_id = change.path[len("site_lists[") : change.path.index("].sites[")]
                added, removed = site_changes.setdefault(list_id, ([], []))
                (added if change.kind == "added" else removed).append(change)
            elif change.path.startswith("layers[") and ".features[" in change.path:
                layer_id = change.path[len("layers[") : change.path.index("].features[")]
                feature_changes.setdefault(layer_id, []).append(change)
            else:
                lines.append(change.describe())
        for layer_id, changes in sorted(feature_changes.items()):
            features: dict[str, set[str]] = {"added": set(), "removed": set(), "changed": set()}
            for change in changes:
                features[change.kind].add(change.path.split("].features[", 1)[1].split("]")[0])
            counts = {kind: len(ids) for kind, ids in features.items()}
            lines.append(
                f"layer {layer_id}: +{counts['added']} features, -{counts['removed']}, "
                f"~{counts['changed']} changed"
            )
        for list_id, (added, removed) in sorted(site_changes.items()):
            lines.append(
                f"site list {list_id}: +{_count_change(added, 'new')}, "
                f"-{_count_change(removed, 'old')}"
            )
        return lines


def _count_change(changes: list[Change], side: Literal["old", "new"]) -> str:
    labels = [str(getattr(c, side)) for c in changes]
    n = len(labels)
    head = f"{n} site{'s' if n != 1 else ''}"
    if not labels:
        return head
    shown = ", ".join(labels[:_MAX_NAMES])
    more = f", ... {n - _MAX_NAMES} more" if n > _MAX_NAMES else ""
    return f"{head} ({shown}{more})"


def _compare(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if old == new:
        return
    if old is None:
        out.append(Change(path, "added", None, new))
    elif new is None:
        out.append(Change(path, "removed", old, None))
    else:
        out.append(Change(path, "changed", old, new))


def _flatten(doc: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings -> dotted paths; lists and scalars are leaf values."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


def _compare_maps(
    path: str, old: Mapping[str, Any], new: Mapping[str, Any], out: list[Change]
) -> None:
    for key in sorted(set(old) | set(new)):
        _compare(f"{path}.{key}" if path else key, old.get(key), new.get(key), out)


def diff(old: Agreement, new: Agreement) -> AgreementDiff:
    """Every difference from ``old`` to ``new``, deterministic and sorted per section.

    Sections, in order: metadata, parties, terms (per field), layers (metadata,
    then features by id), site lists (definition, then resolved sites by id;
    site changes carry the site's ``name [id]`` label as value).
    """
    old_doc, new_doc = old.to_document(), new.to_document()
    changes: list[Change] = []
    meta_old = _flatten({k: old_doc.get(k) for k in _METADATA if k in old_doc})
    meta_new = _flatten({k: new_doc.get(k) for k in _METADATA if k in new_doc})
    _compare_maps("", meta_old, meta_new, changes)

    parties_old = {p.id: p.name for p in old.parties}
    parties_new = {p.id: p.name for p in new.parties}
    for pid in sorted(set(parties_old) | set(parties_new)):
        _compare(f"parties[{pid}].name", parties_old.get(pid), parties_new.get(pid), changes)

    terms_old = {t.id: t.to_document() for t in old.terms}
    terms_new = {t.id: t.to_document() for t in new.terms}
    for tid in sorted(set(terms_old) | set(terms_new)):
        a, b = terms_old.get(tid), terms_new.get(tid)
        if a is None or b is None:
            _compare(f"terms[{tid}]", a, b, changes)
        else:
            _compare_maps(f"terms[{tid}]", _flatten(a), _flatten(b), changes)

    _diff_layers(old, new, changes)
    _diff_site_lists(old, new, changes)
    return AgreementDiff(old.id, old.version, new.version, tuple(changes))


def _diff_layers(old: Agreement, new: Agreement, out: list[Change]) -> None:
    layers_old = {layer.id: layer for layer in old.layers}
    layers_new = {layer.id: layer for layer in new.layers}
    for lid in sorted(set(layers_old) | set(layers_new)):
        a, b = layers_old.get(lid), layers_new.get(lid)
        if a is None or b is None:
            _compare(
                f"layers[{lid}]",
                None if a is None else f"{a.kind} layer, {len(a.features)} features",
                None if b is None else f"{b.kind} layer, {len(b.features)} features",
                out,
            )
            continue
        for key in _LAYER_FIELDS:
            _compare(f"layers[{lid}].{key}", getattr(a, key), getattr(b, key), out)
        fa = {f.id: f for f in a.features}
        fb = {f.id: f for f in b.features}
        for fid in sorted(set(fa) | set(fb)):
            path = f"layers[{lid}].features[{fid}]"
            if fid not in fb:
                out.append(Change(path, "removed", fa[fid].name or fid, None))
            elif fid not in fa:
                out.append(Change(path, "added", None, fb[fid].name or fid))
            else:
                ga, gb = fa[fid].geojson, fb[fid].geojson
                if ga["geometry"] != gb["geometry"]:
                    out.append(
                        Change(f"{path}.geometry", "changed", ga["geometry"], gb["geometry"])
                    )
                if ga["properties"] != gb["properties"]:
                    out.append(
                        Change(f"{path}.properties", "changed", ga["properties"], gb["properties"])
                    )


def _diff_site_lists(old: Agreement, new: Agreement, out: list[Change]) -> None:
    lists_old = {s.id: s for s in old.site_lists}
    lists_new = {s.id: s for s in new.site_lists}
    for lid in sorted(set(lists_old) | set(lists_new)):
        a, b = lists_old.get(lid), lists_new.get(lid)
        doc_a = None if a is None else a.to_document()
        doc_b = None if b is None else b.to_document()
        if doc_a is None or doc_b is None:
            _compare(f"site_lists[{lid}]", doc_a, doc_b, out)
        else:
            _compare_maps(f"site_lists[{lid}]", doc_a, doc_b, out)
        sites_a = {s.id: s for s in old.sites_in(a)} if a is not None else {}
        sites_b = {s.id: s for s in new.sites_in(b)} if b is not None else {}
        for sid in sorted(set(sites_a) | set(sites_b)):
            path = f"site_lists[{lid}].sites[{sid}]"
            if sid not in sites_b:
                out.append(Change(path, "removed", sites_a[sid].label, None))
            elif sid not in sites_a:
                out.append(Change(path, "added", None, sites_b[sid].label))


def diff_site_lists(
    agreement: Agreement, list_a: SiteList | str, list_b: SiteList | str
) -> SiteListComparison:
    """Compare two site lists of one agreement version (e.g. party A's and party B's).

    Sites are matched by (layer, id); each group is sorted by site id.
    """
    a = agreement.site_list(list_a) if isinstance(list_a, str) else list_a
    b = agreement.site_list(list_b) if isinstance(list_b, str) else list_b
    sites_a = {(s.layer, s.id): s for s in agreement.sites_in(a)}
    sites_b = {(s.layer, s.id): s for s in agreement.sites_in(b)}

    def pick(
        keys: Iterable[tuple[str, str]], source: Mapping[tuple[str, str], Site]
    ) -> tuple[Site, ...]:
        return tuple(source[k] for k in sorted(keys, key=lambda k: (k[1], k[0])))

    return SiteListComparison(
        list_a=a.id,
        list_b=b.id,
        only_in_a=pick(set(sites_a) - set(sites_b), sites_a),
        only_in_b=pick(set(sites_b) - set(sites_a), sites_b),
        in_both=pick(set(sites_a) & set(sites_b), sites_a),
    )


def check_successor(old: Agreement, new: Agreement) -> None:
    """Raise ValidationError unless ``new`` may follow ``old`` as a new version.

    Guarantees on success: same agreement id; ``new.version > old.version``;
    every term present in both whose content changed has a higher term version
    (a version, once published, is never edited — only superseded).
    """
    source = f"{new.id}@{new.version}"
    if new.id != old.id:
        raise ValidationError(
            f"agreement id {new.id!r} differs from {old.id!r}", field="id", source=source
        )
    if new.version <= old.version:
        raise ValidationError(
            f"version {new.version} must be greater than {old.version}: "
            "a new version never edits an old one",
            field="version",
            source=source,
        )
    old_terms = {t.id: t for t in old.terms}
    problems: list[FieldError] = []
    for i, term in enumerate(new.terms):
        before = old_terms.get(term.id)
        if before is None:
            continue
        a, b = dict(before.to_document()), dict(term.to_document())
        a.pop("version")
        b.pop("version")
        if a != b and term.version <= before.version:
            problems.append(
                FieldError(
                    f"terms[{i}].version",
                    f"term {term.id} changed but its version {term.version} is not greater "
                    f"than {before.version}",
                )
            )
        elif term.version < before.version:
            problems.append(
                FieldError(
                    f"terms[{i}].version",
                    f"term {term.id} version went down from {before.version} to {term.version}",
                )
            )
    if problems:
        raise ValidationError(
            problems[0].reason, field=problems[0].field, source=source, errors=problems
        )
