"""Protected-site selection: party site lists and inline selectors.

A selector picks sites from one ``sites`` layer: every site whose category is
in ``categories``, plus the ``include`` ids, minus the ``exclude`` ids. A site
list is a named selector held by a party (or ``joint``); each party may hold
its own list, which is how the two sides' different facility lists of the 2025
energy moratorium are represented side by side. A term names its sites either
by list (``{list: ID}``, ``{lists: [ID, ...]}``) or inline with a selector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truce.agreement.geography import Layer, Site
from truce.errors import FieldError, ValidationError

__all__ = [
    "SiteList",
    "SiteListRef",
    "SiteSelection",
    "SiteSelector",
    "selection_from_document",
]


@dataclass(frozen=True, kw_only=True)
class SiteSelector:
    """Sites of ``layer`` in ``categories``, plus ``include``, minus ``exclude``."""

    layer: str
    categories: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> SiteSelector:
        """From a schema-checked mapping with ``layer`` and optional id/category lists."""
        return cls(
            layer=doc["layer"],
            categories=tuple(doc.get("categories", ())),
            include=tuple(doc.get("include", ())),
            exclude=tuple(doc.get("exclude", ())),
        )

    def to_document(self) -> dict[str, Any]:
        """Plain JSON; empty lists are left out."""
        doc: dict[str, Any] = {"layer": self.layer}
        for key in ("categories", "include", "exclude"):
            values = getattr(self, key)
            if values:
                doc[key] = list(values)
        return doc

    def problems(self, layer: Layer) -> list[FieldError]:
        """What is wrong with this selector against ``layer`` (fields relative to it).

        Empty means: every category is known, every id exists, no id is both
        included and excluded, and at least one site is selected.
        """
        out: list[FieldError] = []
        if self.categories:
            if layer.category is None:
                out.append(
                    FieldError(
                        "categories",
                        f"layer {layer.id!r} has no category property to select by",
                    )
                )
            else:
                known = set(layer.categories())
                for i, cat in enumerate(self.categories):
                    if cat not in known:
                        out.append(
                            FieldError(
                                f"categories[{i}]",
                                f"no site in layer {layer.id!r} has category {cat!r} "
                                f"(categories: {', '.join(sorted(known))})",
                            )
                        )
        for key in ("include", "exclude"):
            for i, site_id in enumerate(getattr(self, key)):
                if site_id not in layer:
                    out.append(
                        FieldError(f"{key}[{i}]", f"no site {site_id!r} in layer {layer.id!r}")
                    )
        both = set(self.include) & set(self.exclude)
        for i, site_id in enumerate(self.exclude):
            if site_id in both:
                out.append(
                    FieldError(f"exclude[{i}]", f"site {site_id!r} is both included and excluded")
                )
        if not out and not self.resolve(layer):
            out.append(FieldError("", "selects no sites (an empty list protects nothing)"))
        return out

    def resolve(self, layer: Layer) -> tuple[Site, ...]:
        """The selected sites, in the layer's document order.

        Raises ValidationError if ``layer`` is not the selector's sites layer.
        """
        if layer.id != self.layer or layer.kind != "site":
            raise ValidationError(
                f"selector is for sites layer {self.layer!r}, not {layer.kind} layer {layer.id!r}"
            )
        categories = set(self.categories)
        include = set(self.include)
        exclude = set(self.exclude)
        return tuple(
            site
            for site in layer.sites()
            if (site.category in categories or site.id in include) and site.id not in exclude
        )


@dataclass(frozen=True, kw_only=True)
class SiteList:
    """A named, versioned list of protected sites held by a party or ``joint``."""

    id: str
    held_by: str
    layer: str
    categories: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    title: str | None = None
    description: str | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> SiteList:
        """From a schema-checked ``site_lists[]`` entry."""
        return cls(
            id=doc["id"],
            held_by=doc["held_by"],
            layer=doc["layer"],
            categories=tuple(doc.get("categories", ())),
            include=tuple(doc.get("include", ())),
            exclude=tuple(doc.get("exclude", ())),
            title=doc.get("title"),
            description=doc.get("description"),
        )

    @property
    def selector(self) -> SiteSelector:
        """The list's selection rule without its name and holder."""
        return SiteSelector(
            layer=self.layer, categories=self.categories, include=self.include, exclude=self.exclude
        )

    def to_document(self) -> dict[str, Any]:
        """Plain JSON in document field order; absent optional fields are left out."""
        doc: dict[str, Any] = {"id": self.id}
        for key in ("title", "description"):
            value = getattr(self, key)
            if value is not None:
                doc[key] = value
        doc["held_by"] = self.held_by
        doc.update(self.selector.to_document())
        return doc


@dataclass(frozen=True)
class SiteListRef:
    """A term's reference to one or more site lists, kept apart per list."""

    lists: tuple[str, ...]

    def to_document(self) -> dict[str, Any]:
        """``{"list": ID}`` for one list, ``{"lists": [...]}`` for several."""
        if len(self.lists) == 1:
            return {"list": self.lists[0]}
        return {"lists": list(self.lists)}


SiteSelection = SiteSelector | SiteListRef


def selection_from_document(doc: Mapping[str, Any]) -> SiteSelection:
    """A term's schema-checked ``sites`` value -> a list reference or a selector."""
    if "list" in doc:
        return SiteListRef((doc["list"],))
    if "lists" in doc:
        return SiteListRef(tuple(doc["lists"]))
    return SiteSelector.from_document(doc)
