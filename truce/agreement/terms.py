"""Terms: the small rules an agreement is made of, one frozen class per type.

Every term has an ``id`` (``ceasefire.general``), a ``version``, a ``type`` and
an optional ``title``/``description``. Leaf terms say *what* is forbidden
(event categories or weapon classes), *where* (a line, a zone, protected sites
with a buffer radius) and *when* (a period, or repair windows). Composite terms
(:class:`AllOf`, :class:`AnyOf`) combine other terms by id; their semantics are
in :mod:`truce.agreement.policy`. Unknown types are an error (fail closed):
:data:`TERM_CLASSES` is the one registry, keyed by the document ``type``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from truce.agreement._document import parse_datetime
from truce.agreement.sites import SiteSelection, selection_from_document
from truce.errors import ValidationError

__all__ = [
    "TERM_CLASSES",
    "AllOf",
    "AnyOf",
    "Ceasefire",
    "Composite",
    "EnergyMoratorium",
    "Period",
    "SiteRef",
    "Term",
    "Window",
    "Withdrawal",
    "ZoneRef",
    "term_from_document",
]


def _number(value: float) -> int | float:
    """Integral floats are written as ints, so ``5`` and ``5.0`` serialise alike."""
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class Period:
    """The half-open interval ``[start, end)``; ``end`` None means open-ended."""

    start: datetime
    end: datetime | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Period:
        """From ``{start, end?}`` ISO-8601 strings with UTC offsets."""
        end = doc.get("end")
        return cls(parse_datetime(doc["start"]), None if end is None else parse_datetime(end))

    def contains(self, at: datetime) -> bool:
        """True iff ``start <= at < end``; ``at`` must be timezone-aware."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValidationError("a point in time needs a UTC offset", field="at")
        return self.start <= at and (self.end is None or at < self.end)

    def to_document(self) -> dict[str, Any]:
        """``{"start": ISO, "end": ISO}`` (no ``end`` when open)."""
        doc = {"start": self.start.isoformat()}
        if self.end is not None:
            doc["end"] = self.end.isoformat()
        return doc


@dataclass(frozen=True)
class ZoneRef:
    """Features ``ids`` of zone layer ``layer``."""

    layer: str
    ids: tuple[str, ...]

    def to_document(self) -> dict[str, Any]:
        """``{"layer": ..., "ids": [...]}``."""
        return {"layer": self.layer, "ids": list(self.ids)}


@dataclass(frozen=True)
class SiteRef:
    """One site ``id`` of sites layer ``layer``."""

    layer: str
    id: str

    def to_document(self) -> dict[str, Any]:
        """``{"layer": ..., "id": ...}``."""
        return {"layer": self.layer, "id": self.id}


@dataclass(frozen=True, kw_only=True)
class Term(ABC):
    """Base of every term. ``type`` is the document type name of the subclass."""

    type: ClassVar[str] = ""

    id: str
    version: int
    title: str | None = None
    description: str | None = None

    @property
    def children(self) -> tuple[str, ...]:
        """Ids of the terms this one combines (empty for leaf terms)."""
        return ()

    @property
    def periods(self) -> tuple[Period, ...]:
        """When the term applies (empty for composites: see ``Agreement.in_force``)."""
        return ()

    def in_force(self, at: datetime) -> bool:
        """True iff ``at`` (aware) falls in one of :attr:`periods`."""
        return any(p.contains(at) for p in self.periods)

    @classmethod
    @abstractmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Term:
        """Build from a schema-checked term mapping of this class's type."""

    def _head(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.id, "version": self.version, "type": self.type}
        if self.title is not None:
            doc["title"] = self.title
        if self.description is not None:
            doc["description"] = self.description
        return doc

    def to_document(self) -> dict[str, Any]:
        """The term as plain JSON, in document field order."""
        return self._head()


def _common(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "version": int(doc["version"]),
        "title": doc.get("title"),
        "description": doc.get("description"),
    }


@dataclass(frozen=True, kw_only=True)
class Ceasefire(Term):
    """No fire of the listed ``events`` across line ``across`` (and/or in ``zone``)."""

    type: ClassVar[str] = "ceasefire"

    period: Period
    events: tuple[str, ...]
    across: str | None = None
    zone: ZoneRef | None = None

    @property
    def periods(self) -> tuple[Period, ...]:
        return (self.period,)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Ceasefire:
        zone = doc.get("zone")
        return cls(
            **_common(doc),
            period=Period.from_document(doc["period"]),
            events=tuple(doc["events"]),
            across=doc.get("across"),
            zone=None if zone is None else ZoneRef(zone["layer"], tuple(zone["ids"])),
        )

    def to_document(self) -> dict[str, Any]:
        doc = self._head()
        doc["period"] = self.period.to_document()
        doc["events"] = list(self.events)
        if self.across is not None:
            doc["across"] = self.across
        if self.zone is not None:
            doc["zone"] = self.zone.to_document()
        return doc


@dataclass(frozen=True, kw_only=True)
class EnergyMoratorium(Term):
    """No ``events`` within ``radius_km`` of the protected ``sites``."""

    type: ClassVar[str] = "energy_moratorium"

    period: Period
    sites: SiteSelection
    radius_km: float
    events: tuple[str, ...]

    @property
    def periods(self) -> tuple[Period, ...]:
        return (self.period,)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> EnergyMoratorium:
        return cls(
            **_common(doc),
            period=Period.from_document(doc["period"]),
            sites=selection_from_document(doc["sites"]),
            radius_km=float(doc["radius_km"]),
            events=tuple(doc["events"]),
        )

    def to_document(self) -> dict[str, Any]:
        doc = self._head()
        doc["period"] = self.period.to_document()
        doc["sites"] = self.sites.to_document()
        doc["radius_km"] = _number(self.radius_km)
        doc["events"] = list(self.events)
        return doc


@dataclass(frozen=True, kw_only=True)
class Withdrawal(Term):
    """No weapon of ``weapon_classes`` closer than ``distance_km`` to line ``line``."""

    type: ClassVar[str] = "withdrawal"

    period: Period
    weapon_classes: tuple[str, ...]
    line: str
    distance_km: float

    @property
    def periods(self) -> tuple[Period, ...]:
        return (self.period,)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Withdrawal:
        return cls(
            **_common(doc),
            period=Period.from_document(doc["period"]),
            weapon_classes=tuple(doc["weapon_classes"]),
            line=doc["line"],
            distance_km=float(doc["distance_km"]),
        )

    def to_document(self) -> dict[str, Any]:
        doc = self._head()
        doc["period"] = self.period.to_document()
        doc["weapon_classes"] = list(self.weapon_classes)
        doc["line"] = self.line
        doc["distance_km"] = _number(self.distance_km)
        return doc


@dataclass(frozen=True, kw_only=True)
class Window(Term):
    """A local ceasefire during ``windows`` at a site (within ``radius_km``) or in a zone."""

    type: ClassVar[str] = "window"

    windows: tuple[Period, ...]
    events: tuple[str, ...]
    site: SiteRef | None = None
    zone: ZoneRef | None = None
    radius_km: float | None = None

    @property
    def periods(self) -> tuple[Period, ...]:
        return self.windows

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Window:
        site, zone, radius = doc.get("site"), doc.get("zone"), doc.get("radius_km")
        return cls(
            **_common(doc),
            windows=tuple(Period.from_document(w) for w in doc["windows"]),
            events=tuple(doc["events"]),
            site=None if site is None else SiteRef(site["layer"], site["id"]),
            zone=None if zone is None else ZoneRef(zone["layer"], tuple(zone["ids"])),
            radius_km=None if radius is None else float(radius),
        )

    def to_document(self) -> dict[str, Any]:
        doc = self._head()
        doc["windows"] = [w.to_document() for w in self.windows]
        if self.site is not None:
            doc["site"] = self.site.to_document()
        if self.zone is not None:
            doc["zone"] = self.zone.to_document()
        if self.radius_km is not None:
            doc["radius_km"] = _number(self.radius_km)
        doc["events"] = list(self.events)
        return doc


@dataclass(frozen=True, kw_only=True)
class Composite(Term):
    """A term made of other terms, named by id in ``terms`` (never empty)."""

    terms: tuple[str, ...]

    @property
    def children(self) -> tuple[str, ...]:
        return self.terms

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Composite:
        return cls(**_common(doc), terms=tuple(doc["terms"]))

    def to_document(self) -> dict[str, Any]:
        doc = self._head()
        doc["terms"] = list(self.terms)
        return doc


@dataclass(frozen=True, kw_only=True)
class AllOf(Composite):
    """Complied with only if every child term is complied with (worst child status)."""

    type: ClassVar[str] = "all_of"


@dataclass(frozen=True, kw_only=True)
class AnyOf(Composite):
    """Complied with if at least one child term is complied with (best child status)."""

    type: ClassVar[str] = "any_of"


#: Document ``type`` -> term class. The one place a new term type is registered.
TERM_CLASSES: Mapping[str, type[Term]] = {
    cls.type: cls for cls in (AllOf, AnyOf, Ceasefire, EnergyMoratorium, Window, Withdrawal)
}


def term_from_document(doc: Mapping[str, Any]) -> Term:
    """Build the term of a schema-checked mapping; ValidationError for an unknown type."""
    cls = TERM_CLASSES.get(str(doc.get("type")))
    if cls is None:
        known = ", ".join(sorted(TERM_CLASSES))
        raise ValidationError(
            f"unknown term type {doc.get('type')!r} (known: {known})", field="type"
        )
    return cls.from_document(doc)
