"""The agreement: parties, time zone, geography, site lists and terms, validated.

An :class:`Agreement` is built only through :func:`load_agreement` (a YAML file)
or :meth:`Agreement.from_document` (a plain mapping, e.g. the self-contained
document stored in the database). Both apply the same checks, in order, and
fail closed with :class:`truce.errors.ValidationError` naming the source and
the field path:

1. plain JSON values only (dates become ISO strings; no NaN; string keys);
2. the JSON Schema ``schema.json`` (unknown keys, missing fields, ranges, types);
3. unique ids, a known time zone, valid geography (see :mod:`.geography`);
4. references: site lists, layers, zones, sites, composite children, no cycles.

An agreement is immutable. :meth:`Agreement.to_document` returns a
deterministic, self-contained plain-JSON document (all geography inline) such
that ``from_document(a.to_document()).to_document() == a.to_document()``.
:meth:`Agreement.to_log_document` is the form stored in the log: the same
document with each geography layer moved into a blob referenced by SHA-256
(:mod:`truce.blobs`), because a log entry must stay under 64 KiB.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from truce.agreement._checks import check_composites, check_ids, check_site_lists, check_terms
from truce.agreement._document import PathPart, normalise, parse_date, parse_datetime
from truce.agreement._schema import validate_document
from truce.agreement._yaml import MAX_YAML_BYTES, load_yaml
from truce.agreement.geography import Layer, LayerKind, Site, load_layer
from truce.agreement.sites import SiteList, SiteListRef, SiteSelector
from truce.agreement.terms import Composite, EnergyMoratorium, Term, Window, term_from_document
from truce.agreement.vocabulary import AGREEMENT_FORMAT, LAYER_KINDS
from truce.blobs import Blob, BlobLookup, blob_ref
from truce.errors import FieldError, NotFound, ValidationError

__all__ = ["Agreement", "EvidentiaryStandard", "Layers", "Party", "load_agreement"]


@dataclass(frozen=True)
class Party:
    """A party to the agreement: short id (``A``) and display name."""

    id: str
    name: str


@dataclass(frozen=True)
class EvidentiaryStandard:
    """The stated standard a finding must meet before it attributes an event."""

    attribution: str


@dataclass(frozen=True)
class Layers:
    """The agreement's geography: zone, line and site layers (ids unique across all)."""

    zones: tuple[Layer, ...] = ()
    lines: tuple[Layer, ...] = ()
    sites: tuple[Layer, ...] = ()

    def __iter__(self) -> Iterator[Layer]:
        yield from self.zones
        yield from self.lines
        yield from self.sites

    def __len__(self) -> int:
        return len(self.zones) + len(self.lines) + len(self.sites)

    def __contains__(self, layer_id: object) -> bool:
        return any(layer.id == layer_id for layer in self)

    def get(self, layer_id: str) -> Layer:
        """The layer with this id; NotFound otherwise."""
        for layer in self:
            if layer.id == layer_id:
                return layer
        raise NotFound("layer", layer_id)

    def to_document(self) -> dict[str, Any]:
        """``{"zones": [...], "lines": [...], "sites": [...]}``, empty kinds left out."""
        doc: dict[str, Any] = {}
        for kind in LAYER_KINDS:
            layers = getattr(self, f"{kind}s")
            if layers:
                doc[f"{kind}s"] = [layer.to_document() for layer in layers]
        return doc


@dataclass(frozen=True, eq=False, kw_only=True)
class Agreement:
    """One version of an agreement. Build it with :func:`load_agreement` or
    :meth:`from_document`; constructing it directly skips every check."""

    id: str
    version: int
    title: str
    description: str | None = None
    example: bool = False
    time_zone: ZoneInfo
    signed: date | None = None
    effective: datetime
    parties: tuple[Party, ...]
    evidentiary_standard: EvidentiaryStandard | None = None
    layers: Layers = field(default_factory=Layers)
    site_lists: tuple[SiteList, ...] = ()
    terms: tuple[Term, ...]
    _json: str = field(init=False, repr=False)
    _terms: Mapping[str, Term] = field(init=False, repr=False)
    _lists: Mapping[str, SiteList] = field(init=False, repr=False)
    _log_document: tuple[str, dict[str, Blob]] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_terms", {t.id: t for t in self.terms})
        object.__setattr__(self, "_lists", {s.id: s for s in self.site_lists})
        text = json.dumps(self._build_document(), ensure_ascii=False, allow_nan=False)
        object.__setattr__(self, "_json", text)

    def __repr__(self) -> str:
        return f"<Agreement {self.id} v{self.version}: {len(self.terms)} terms>"

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_document(
        cls,
        doc: Mapping[str, Any],
        *,
        source: str = "<document>",
        base_dir: str | os.PathLike[str] | None = None,
        blobs: BlobLookup | None = None,
    ) -> Agreement:
        """Validate ``doc`` and build the agreement (same rules as :func:`load_agreement`).

        ``path`` sources are resolved against ``base_dir`` and ``blob`` sources
        through ``blobs`` (each blob's size and SHA-256 are checked); without
        them such sources are refused. Raises ValidationError naming ``source``
        and the field; never returns a partly checked agreement.
        """
        base = None if base_dir is None else Path(base_dir)
        return _build(doc, source=source, base_dir=base, blobs=blobs)

    def to_document(self) -> dict[str, Any]:
        """A fresh, deterministic, self-contained plain-JSON copy of this version.

        Every layer's source is an ``inline`` FeatureCollection; datetimes are
        ISO-8601 with their UTC offset; numbers are finite.
        """
        doc: dict[str, Any] = json.loads(self._json)
        return doc

    def to_log_document(self) -> tuple[dict[str, Any], dict[str, Blob]]:
        """The form this version takes in the log: ``(document, blobs)``.

        Like :meth:`to_document`, but every layer's source is a ``blob``
        reference to its canonical GeoJSON (:meth:`Layer.geojson_bytes`), so the
        record stays small; ``blobs`` maps each SHA-256 to its blob.
        Loading ``document`` with ``from_document(document, blobs=...)`` over
        these blobs gives back an agreement whose :meth:`to_document` is this one's.
        """
        if self._log_document is not None:
            cached, cached_blobs = self._log_document
            return json.loads(cached), dict(cached_blobs)
        doc = self.to_document()
        blobs: dict[str, Blob] = {}
        geography: dict[str, Any] = {}
        for kind in LAYER_KINDS:
            layers = getattr(self.layers, f"{kind}s")
            if not layers:
                continue
            entries = []
            for layer in layers:
                ref, blob = blob_ref(layer.geojson_bytes())
                blobs[blob.sha256] = blob
                entries.append(layer.to_document(blob=ref))
            geography[f"{kind}s"] = entries
        if geography:
            doc["geography"] = geography
        object.__setattr__(self, "_log_document", (json.dumps(doc), dict(blobs)))
        return doc, blobs

    def _build_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": AGREEMENT_FORMAT,
            "id": self.id,
            "version": self.version,
            "title": self.title,
        }
        if self.description is not None:
            doc["description"] = self.description
        if self.example:
            doc["example"] = True
        doc["time_zone"] = self.time_zone.key
        if self.signed is not None:
            doc["signed"] = self.signed.isoformat()
        doc["effective"] = self.effective.isoformat()
        doc["parties"] = [{"id": p.id, "name": p.name} for p in self.parties]
        if self.evidentiary_standard is not None:
            doc["evidentiary_standard"] = {"attribution": self.evidentiary_standard.attribution}
        geography = self.layers.to_document()
        if geography:
            doc["geography"] = geography
        if self.site_lists:
            doc["site_lists"] = [s.to_document() for s in self.site_lists]
        doc["terms"] = [t.to_document() for t in self.terms]
        return doc

    # -- lookups ------------------------------------------------------------------

    def term(self, term_id: str) -> Term:
        """The term with this id; NotFound otherwise."""
        try:
            return self._terms[term_id]
        except KeyError:
            raise NotFound("term", term_id) from None

    def party(self, party_id: str) -> Party:
        """The party with this id; NotFound otherwise."""
        for party in self.parties:
            if party.id == party_id:
                return party
        raise NotFound("party", party_id)

    def layer(self, layer_id: str) -> Layer:
        """The layer (zone, line or sites) with this id; NotFound otherwise."""
        return self.layers.get(layer_id)

    def site_list(self, list_id: str) -> SiteList:
        """The site list with this id; NotFound otherwise."""
        try:
            return self._lists[list_id]
        except KeyError:
            raise NotFound("site list", list_id) from None

    def children(self, term: Term | str) -> tuple[Term, ...]:
        """The terms a composite combines (empty for a leaf term)."""
        node = self.term(term) if isinstance(term, str) else term
        return tuple(self.term(child) for child in node.children)

    # -- sites --------------------------------------------------------------------

    def sites_in(self, selection: SiteList | SiteSelector | SiteListRef | str) -> tuple[Site, ...]:
        """Concrete sites of a site list (object or id), a selector or a list reference.

        Sites come in their layer's document order; a reference to several
        lists yields their union, each site once.
        """
        if isinstance(selection, str):
            selection = self.site_list(selection)
        if isinstance(selection, SiteList):
            selection = selection.selector
        if isinstance(selection, SiteSelector):
            return selection.resolve(self.layer(selection.layer))
        seen: dict[tuple[str, str], Site] = {}
        for list_id in selection.lists:
            for site in self.sites_in(list_id):
                seen.setdefault((site.layer, site.id), site)
        return tuple(seen.values())

    def protected_sites(self, term: Term | str) -> dict[str, tuple[Site, ...]]:
        """The sites a term protects, keyed by site list id (party lists stay apart).

        An inline selector, or a window at one site, is keyed by the term's own
        id. Terms that protect no sites give ``{}``.
        """
        node = self.term(term) if isinstance(term, str) else term
        if isinstance(node, EnergyMoratorium):
            if isinstance(node.sites, SiteListRef):
                return {list_id: self.sites_in(list_id) for list_id in node.sites.lists}
            return {node.id: self.sites_in(node.sites)}
        if isinstance(node, Window) and node.site is not None:
            layer = self.layer(node.site.layer)
            return {node.id: tuple(s for s in layer.sites() if s.id == node.site.id)}
        return {}

    # -- time ---------------------------------------------------------------------

    def in_force(self, term: Term | str, at: datetime) -> bool:
        """Whether ``term`` applies at ``at`` (aware); a composite if any child does."""
        node = self.term(term) if isinstance(term, str) else term
        if isinstance(node, Composite):
            return any(self.in_force(child, at) for child in node.children)
        return node.in_force(at)

    def terms_in_force(self, at: datetime) -> tuple[Term, ...]:
        """Every term (leaf or composite) that applies at ``at``, in document order."""
        return tuple(t for t in self.terms if self.in_force(t, at))


def load_agreement(path: str | os.PathLike[str]) -> Agreement:
    """Read, validate and resolve an agreement YAML file.

    ``path`` sources are resolved relative to the file's real location (symlinks
    followed). Any problem raises ValidationError whose ``source`` is ``path``
    as given and whose field is the path inside the file.
    """
    source = os.fspath(path)
    try:
        real = Path(path).resolve(strict=True)
        if real.stat().st_size > MAX_YAML_BYTES:
            raise ValidationError(
                f"file is larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB", source=source
            )
        raw = real.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror or exc}", source=source) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 text: {exc}", source=source) from None
    return _build(load_yaml(text, source=source), source=source, base_dir=real.parent)


def _is_inline(path: Sequence[PathPart]) -> bool:
    return len(path) == 5 and path[0] == "geography" and path[3] == "source" and path[4] == "inline"


def _raise(problems: Sequence[FieldError], source: str) -> None:
    if problems:
        raise ValidationError(
            problems[0].reason, field=problems[0].field, source=source, errors=problems
        )


def _build(
    raw: Any, *, source: str, base_dir: Path | None, blobs: BlobLookup | None = None
) -> Agreement:
    if not isinstance(raw, Mapping):
        raise ValidationError(
            f"the top level must be a mapping of fields, got {type(raw).__name__}", source=source
        )
    doc = normalise(raw, source=source, opaque=_is_inline)
    validate_document(doc, source=source)
    _raise(check_ids(doc), source)

    try:
        time_zone = ZoneInfo(doc["time_zone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            f"unknown IANA time zone {doc['time_zone']!r} (e.g. Europe/Kyiv)",
            field="time_zone",
            source=source,
        ) from None

    geography = doc.get("geography", {})
    by_kind: dict[LayerKind, list[Layer]] = {"zone": [], "line": [], "site": []}
    for kind in ("zone", "line", "site"):
        for i, spec in enumerate(geography.get(f"{kind}s", ())):
            layer = load_layer(
                spec,
                kind,
                field=f"geography.{kind}s[{i}]",
                source=source,
                base_dir=base_dir,
                blobs=blobs,
            )
            by_kind[kind].append(layer)
    layers = Layers(
        zones=tuple(by_kind["zone"]), lines=tuple(by_kind["line"]), sites=tuple(by_kind["site"])
    )
    layer_map = {layer.id: layer for layer in layers}

    parties = tuple(Party(p["id"], p["name"]) for p in doc["parties"])
    site_lists = tuple(SiteList.from_document(s) for s in doc.get("site_lists", ()))
    terms = tuple(term_from_document(t) for t in doc["terms"])
    problems = check_site_lists(site_lists, layer_map, [p.id for p in parties])
    problems += check_terms(terms, layer_map, {s.id: s for s in site_lists})
    problems += check_composites(terms)
    _raise(problems, source)

    signed = doc.get("signed")
    standard = doc.get("evidentiary_standard")
    return Agreement(
        id=doc["id"],
        version=int(doc["version"]),
        title=doc["title"],
        description=doc.get("description"),
        example=bool(doc.get("example", False)),
        time_zone=time_zone,
        signed=None if signed is None else parse_date(signed),
        effective=parse_datetime(doc["effective"]),
        parties=parties,
        evidentiary_standard=None if standard is None else EvidentiaryStandard(**standard),
        layers=layers,
        site_lists=site_lists,
        terms=terms,
    )
