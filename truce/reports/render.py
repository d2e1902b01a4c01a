"""Deterministic rendering of a report: Markdown and one self-contained HTML file.

A report (the dict built by :mod:`truce.reports.build`, format ``truce-report/1``)
is published so that anyone can regenerate it byte for byte from the signed log.
Rendering is therefore a pure function of the report data and the label
translator: no clock, no randomness, no dependence on dict insertion order (lists
are shown in the order the data gives them; the few dicts — restrictions by kind
and by party — are shown in a fixed order), ``'\\n'`` line endings, and text that
always encodes as UTF-8.

Both formats show the same sections, in the same order: title, period, the
checkpoint and agreement the report was built from, summary, counts, findings,
allegation tracker, energy sites, coverage, access restrictions, corrections.
An optional section whose key is absent (or ``None``) is skipped; a present but
empty one says "None in this period.".

Every fixed label goes through a :class:`Labels` translator (a gettext-style
callable; English identity by default); :data:`LABELS` lists every msgid the
templates use, for extracting catalogues.

Party-filed text is untrusted: HTML output is autoescaped and carries a
Content-Security-Policy that forbids scripts and external loads; Markdown
output backslash-escapes Markdown and HTML syntax, so a summary cannot become
markup, a link or a table column.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

import jinja2
import markupsafe

from truce.errors import Error, ValidationError

__all__ = ["FIGURE_TITLES", "FORMAT", "LABELS", "Labels", "render_html", "render_markdown"]

#: The report format this module renders.
FORMAT = "truce-report/1"

#: Every fixed label (gettext msgid) the templates use, in plain English.
LABELS: tuple[str, ...] = (
    "SYNTHETIC DATA — generated for demonstration; these events never happened",
    "Mission",
    "Period",
    "UTC",
    "Built from checkpoint",
    "Log origin",
    "Log size",
    "Root hash",
    "Agreement",
    "This report is a deterministic rendering of the signed log at this checkpoint.",
    "Summary",
    "Counts",
    "Total events",
    "This period",
    "Previous period",
    "Change",
    "By category",
    "Category",
    "By region",
    "Region",
    "Findings",
    "Record",
    "Term",
    "Outcome",
    "Certainty",
    "Attribution",
    "Approved at",
    "Replies",
    "Allegation tracker",
    "Party",
    "Filed",
    "Acknowledged",
    "Under verification",
    "Confirmed",
    "Not confirmed",
    "Unable to verify",
    "Energy sites with breaches or possible breaches",
    "Site",
    "Name",
    "List",
    "Status",
    "Events",
    "Nearest distance",
    "Coverage",
    "Observed where we could see: events outside the areas, sites and hours "
    "covered below would not appear in this report.",
    "Area seen over the period",
    "Sites seen over the period",
    "Date",
    "Area seen",
    "Sites seen",
    "Camera hours",
    "Patrols",
    "Access restrictions",
    "Total restrictions",
    "By kind",
    "Kind",
    "By party",
    "Count",
    "Corrections",
    "Supersedes",
    "Reason",
    "At",
    "None in this period.",
    "Maps and charts",
)
#: Titles of the HTML report's figures (drawn by :mod:`truce.reports.figures`,
#: translated like every label, so they are part of :data:`LABELS` too).
FIGURE_TITLES: tuple[str, ...] = ("Events and protected sites", "Events by category")
LABELS = LABELS + FIGURE_TITLES


class Labels(Protocol):
    """Translates one fixed English label (a gettext msgid) for display.

    ``gettext.GNUTranslations(...).gettext`` and Babel's ``Translations.gettext``
    fit; so does any ``str -> str`` function.
    """

    def __call__(self, msgid: str, /) -> str: ...


def render_markdown(report: Mapping[str, Any], *, labels: Labels | None = None) -> str:
    """The report as GitHub-flavoured Markdown, starting with a front-matter block.

    The front matter (between ``---`` lines) holds one ``key: "value"`` line per
    parameter (format, kind, language, synthetic, period start/end, checkpoint
    origin/size/root, agreement id/version); each value is a JSON string that is
    also a valid YAML double-quoted scalar. Tables are pipe tables; data text is
    escaped so ``|``, newlines, Markdown and HTML syntax stay literal.

    Guarantees: the same ``report`` and ``labels`` give the same string; lines
    end with ``'\\n'``, with no trailing spaces, and the text ends with one
    ``'\\n'``. Raises :class:`~truce.errors.ValidationError` naming the field if
    the report does not have the ``truce-report/1`` shape.
    """
    view = _view(report)
    translate = _translator(labels)

    def label(msgid: str) -> str:
        return _md_escape(translate(msgid))

    text = _render("report.md.j2", markdown=True, view=view, label=label)
    lines = [line.rstrip() for line in text.split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return out.strip("\n") + "\n"


def render_html(
    report: Mapping[str, Any],
    *,
    labels: Labels | None = None,
    figures: Sequence[str] = (),
) -> str:
    """The report as one self-contained HTML document.

    Inline CSS only: no external URL, no JavaScript (a Content-Security-Policy
    meta tag forbids both). ``<html lang>`` comes from ``report["language"]``
    (default ``"en"``). The parameters are repeated in ``<meta
    name="truce-report:KEY" content="VALUE">`` tags, KEY as in the Markdown
    front matter. All data text is HTML-escaped. A red banner marks synthetic
    data. ``figures`` are inline SVG documents from :mod:`truce.reports.figures`
    (trusted: that module escapes every text it draws), shown after the summary.

    Guarantees: the same ``report`` and ``labels`` give the same string; lines
    end with ``'\\n'`` and the text ends with one ``'\\n'``. Raises
    :class:`~truce.errors.ValidationError` naming the field if the report does
    not have the ``truce-report/1`` shape.
    """
    view = _view(report)
    for i, svg in enumerate(figures):
        if not (
            isinstance(svg, str) and svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        ):
            raise ValidationError("must be an SVG document", field=f"figures[{i}]")
    view["figures"] = [markupsafe.Markup(svg) for svg in figures]
    translate = _translator(labels)
    text = _render("report.html.j2", markdown=False, view=view, label=translate)
    return text.strip("\n") + "\n"


# --------------------------------------------------------------------------- rendering


def _translator(labels: Labels | None) -> Callable[[str], str]:
    if labels is None:
        return str

    def translate(msgid: str) -> str:
        # str() drops a Markup subclass, so a translation is always escaped as text.
        return str(labels(msgid))

    return translate


@functools.cache
def _environment(markdown: bool) -> jinja2.Environment:
    try:
        loader = jinja2.PackageLoader("truce.reports", "templates")
    except ValueError as exc:  # the package or its templates folder is not installed
        raise Error(
            f"report templates not found: {exc}",
            hint="reinstall truce-monitor with its package data (truce/reports/templates)",
        ) from exc
    env = jinja2.Environment(
        loader=loader,
        autoescape=not markdown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        newline_sequence="\n",
        auto_reload=False,
    )
    env.filters["md"] = _md_escape
    env.filters["yaml_str"] = _yaml_str
    return env


def _render(
    name: str, *, markdown: bool, view: Mapping[str, Any], label: Callable[[str], str]
) -> str:
    try:
        template = _environment(markdown).get_template(name)
        return template.render(view, _=label)
    except jinja2.TemplateError as exc:
        raise Error(
            f"report template {name} failed: {exc}",
            hint="the installed truce/reports/templates do not match this version",
        ) from exc


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
_MD_LIST_START = re.compile(r"^([+\-=])")
_MD_ORDERED_START = re.compile(r"^(\d+)([.)])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _md_escape(text: str) -> str:
    """Text as literal Markdown inline content on one line.

    Markdown/HTML punctuation is backslash-escaped (``|`` included, so the text
    cannot split a table cell); each line is stripped and escaped at its start
    as needed, and line breaks become ``<br>``.
    """
    lines = []
    for raw in _NEWLINES.split(str(text)):
        line = _MD_SPECIAL.sub(r"\\\1", raw.strip())
        line = _MD_LIST_START.sub(r"\\\1", line)
        lines.append(_MD_ORDERED_START.sub(r"\1\\\2", line))
    return "<br>".join(lines)


_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _yaml_str(value: str) -> str:
    """A JSON string literal that YAML also reads back as the same string."""
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


# --------------------------------------------------------------------------- formatting


def _half_up(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _n(value: int) -> str:
    return f"{value:,}"


def _percent(share: float) -> str:
    return f"{_half_up(share * 100)}%"


def _metres(distance: float | None) -> str:
    return "—" if distance is None else f"{_half_up(distance):,} m"


def _hours(hours: float) -> str:
    return f"{hours:,.1f}"


def _change(count: int, previous: int | None) -> str:
    if previous is None:
        return "—"
    delta = count - previous
    if delta > 0:
        return f"+{delta:,}"
    if delta < 0:
        return f"−{-delta:,}"  # U+2212 MINUS SIGN
    return "0"


# --------------------------------------------------------------------------- reading

_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Restriction kinds in display order; other kinds follow, sorted.
_RESTRICTION_KINDS = ("denied", "conditional", "delayed")


class _Obj:
    """A JSON object read with its field path, so every error names the field."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise ValidationError(f"expected an object, got {type(value).__name__}", field=path)
        self.data: Mapping[Any, Any] = value
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _get(self, key: str) -> Any:
        if not self.has(key):
            raise ValidationError("missing", field=self.at(key))
        return self.data[key]

    def text(self, key: str) -> str:
        return _text(self._get(key), self.at(key))

    def opt_text(self, key: str) -> str | None:
        return self.text(key) if self.has(key) else None

    def integer(self, key: str) -> int:
        return _integer(self._get(key), self.at(key))

    def opt_integer(self, key: str) -> int | None:
        return self.integer(key) if self.has(key) else None

    def number(self, key: str, *, maximum: float | None = None) -> float:
        return _number(self._get(key), self.at(key), maximum=maximum)

    def opt_number(self, key: str, *, maximum: float | None = None) -> float | None:
        return self.number(key, maximum=maximum) if self.has(key) else None

    def flag(self, key: str, default: bool) -> bool:
        if not self.has(key):
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            raise ValidationError("expected true or false", field=self.at(key))
        return value

    def obj(self, key: str) -> _Obj:
        return _Obj(self._get(key), self.at(key))

    def items(self, key: str) -> list[Any]:
        value = self._get(key)
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise ValidationError(
                f"expected a list, got {type(value).__name__}", field=self.at(key)
            )
        return list(value)

    def objs(self, key: str) -> list[_Obj]:
        return [_Obj(v, f"{self.at(key)}[{i}]") for i, v in enumerate(self.items(key))]

    def texts(self, key: str) -> list[str]:
        return [_text(v, f"{self.at(key)}[{i}]") for i, v in enumerate(self.items(key))]

    def counts(self, key: str) -> dict[str, int]:
        """A ``{name: count}`` object (absent → empty)."""
        if not self.has(key):
            return {}
        inner = self.obj(key)
        out: dict[str, int] = {}
        for name, value in inner.data.items():
            if not isinstance(name, str):
                raise ValidationError("keys must be strings", field=inner.path)
            out[_text(name, inner.at(name))] = _integer(value, inner.at(name))
        return out


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"expected a string, got {type(value).__name__}", field=path)
    if _SURROGATE.search(value):
        raise ValidationError("text is not valid Unicode (lone surrogate)", field=path)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _integer(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"expected an integer, got {type(value).__name__}", field=path)
    if value < 0:
        raise ValidationError(f"must not be negative, got {value}", field=path)
    return value


def _number(value: object, path: str, *, maximum: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"expected a number, got {type(value).__name__}", field=path)
    number = float(value)
    if not math.isfinite(number) or number < 0 or (maximum is not None and number > maximum):
        upper = f" and at most {maximum:g}" if maximum is not None else ""
        raise ValidationError(f"must be finite, at least 0{upper}; got {value!r}", field=path)
    return number


def _view(report: object) -> dict[str, Any]:
    """The report as template variables: display strings, in display order."""
    r = _Obj(report, "")
    fmt = r.text("format")
    if fmt != FORMAT:
        raise ValidationError(
            f"unsupported report format {fmt!r}; expected {FORMAT!r}", field="format"
        )
    language = r.opt_text("language") or "en"
    if not _LANGUAGE.fullmatch(language):
        raise ValidationError(f"not a language tag: {language!r}", field="language")
    period, checkpoint, agreement = r.obj("period"), r.obj("checkpoint"), r.obj("agreement")
    synthetic = r.flag("synthetic", False)
    view: dict[str, Any] = {
        "kind": r.text("kind"),
        "title": r.text("title"),
        "language": language,
        "synthetic": synthetic,
        "mission": r.opt_text("mission"),
        "period": {
            "start": period.text("start"),
            "end": period.text("end"),
            "label": period.text("label"),
        },
        "checkpoint": {
            "origin": checkpoint.text("origin"),
            "size": _n(checkpoint.integer("size")),
            "root": checkpoint.text("root"),
        },
        "agreement": {
            "ref": f"{agreement.text('id')}@{agreement.integer('version')}",
            "title": agreement.opt_text("title"),
        },
    }
    view["meta"] = [
        ("format", fmt),
        ("kind", view["kind"]),
        ("language", language),
        ("synthetic", "true" if synthetic else "false"),
        ("period_start", view["period"]["start"]),
        ("period_end", view["period"]["end"]),
        ("checkpoint_origin", view["checkpoint"]["origin"]),
        ("checkpoint_size", str(checkpoint.integer("size"))),
        ("checkpoint_root", view["checkpoint"]["root"]),
        ("agreement_id", agreement.text("id")),
        ("agreement_version", str(agreement.integer("version"))),
    ]
    if r.has("spec"):  # what a rebuild needs: the report's day, cut-off and length
        spec = r.obj("spec")
        view["meta"] += [
            ("spec_day", spec.text("day")),
            ("spec_cutoff", spec.text("cutoff")),
            ("spec_days", str(spec.integer("days"))),
        ]
    if r.has("data_sha256"):
        view["meta"].append(("data_sha256", r.text("data_sha256")))
    view["summary"] = r.texts("summary") if r.has("summary") else None
    view["counts"] = _counts(r.obj("counts")) if r.has("counts") else None
    view["findings"] = _findings(r.objs("findings")) if r.has("findings") else None
    view["allegations"] = _allegations(r.objs("allegations")) if r.has("allegations") else None
    view["energy_sites"] = _sites(r.objs("energy_sites")) if r.has("energy_sites") else None
    view["coverage"] = _coverage(r.obj("coverage")) if r.has("coverage") else None
    view["restrictions"] = _restrictions(r.obj("restrictions")) if r.has("restrictions") else None
    view["corrections"] = _corrections(r.objs("corrections")) if r.has("corrections") else None
    return view


def _counts(c: _Obj) -> dict[str, Any]:
    total, previous = c.integer("total"), c.opt_integer("previous_total")

    def rows(key: str) -> list[dict[str, str]]:
        out = []
        for row in c.objs(key) if c.has(key) else []:
            count, before = row.integer("count"), row.opt_integer("previous")
            out.append(
                {
                    "name": row.text("key"),
                    "count": _n(count),
                    "previous": "—" if before is None else _n(before),
                    "change": _change(count, before),
                }
            )
        return out

    return {
        "total": _n(total),
        "previous_total": "—" if previous is None else _n(previous),
        "change": _change(total, previous),
        "by_category": rows("by_category"),
        "by_region": rows("by_region"),
    }


def _findings(rows: list[_Obj]) -> list[dict[str, str]]:
    return [
        {
            "record": f.text("record_id")[:12],
            "term": f.text("term"),
            "outcome": f.text("outcome"),
            "certainty": f.text("certainty"),
            "attribution": f.text("attribution"),
            "summary": f.text("summary"),
            "approved_at": f.text("approved_at"),
            "replies": ", ".join(f.texts("replies") if f.has("replies") else []) or "—",
        }
        for f in rows
    ]


_ALLEGATION_COLUMNS = (
    "filed",
    "acknowledged",
    "under_verification",
    "confirmed",
    "not_confirmed",
    "unable_to_verify",
)


def _allegations(rows: list[_Obj]) -> list[dict[str, Any]]:
    return [
        {"party": a.text("party"), "cells": [_n(a.integer(col)) for col in _ALLEGATION_COLUMNS]}
        for a in rows
    ]


def _sites(rows: list[_Obj]) -> list[dict[str, str]]:
    return [
        {
            "site": s.text("site"),
            "name": s.text("name"),
            "list": s.text("list"),
            "status": s.text("status"),
            "events": _n(s.integer("events")),
            "nearest": _metres(s.opt_number("nearest_m")),
        }
        for s in rows
    ]


def _coverage(c: _Obj) -> dict[str, Any]:
    area, sites = c.opt_number("area_share", maximum=1), c.opt_number("site_share", maximum=1)
    days = []
    for d in c.objs("days") if c.has("days") else []:
        seen, total = d.integer("sites_seen"), d.integer("sites_total")
        if seen > total:
            raise ValidationError(f"{seen} sites seen of {total}", field=d.at("sites_seen"))
        days.append(
            {
                "date": d.text("date"),
                "area": _percent(d.number("area_share", maximum=1)),
                "sites": f"{_n(seen)}/{_n(total)}",
                "camera_hours": _hours(d.number("camera_hours")),
                "patrols": _n(d.integer("patrols")),
            }
        )
    return {
        "area": None if area is None else _percent(area),
        "sites": None if sites is None else _percent(sites),
        "days": days,
    }


def _restrictions(r: _Obj) -> dict[str, Any]:
    by_kind, by_party = r.counts("by_kind"), r.counts("by_party")
    kinds = [k for k in _RESTRICTION_KINDS if k in by_kind]
    kinds += sorted(k for k in by_kind if k not in _RESTRICTION_KINDS)
    parties = sorted(by_party, key=lambda p: (p == "unknown", p))
    return {
        "total": r.integer("total"),
        "total_text": _n(r.integer("total")),
        "by_kind": [(k, _n(by_kind[k])) for k in kinds],
        "by_party": [(p, _n(by_party[p])) for p in parties],
    }


def _corrections(rows: list[_Obj]) -> list[dict[str, str]]:
    return [
        {
            "record": c.text("record_id")[:12],
            "supersedes": c.text("supersedes")[:12],
            "reason": c.text("reason"),
            "at": c.text("at"),
        }
        for c in rows
    ]
