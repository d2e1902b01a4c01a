"""Static maps and charts for reports: SVG text, byte for byte the same on any machine.

Reports are rebuilt from the signed log and compared byte for byte (``truce
verify report``), so each figure is a pure function of its arguments: drawn on
a bare :class:`matplotlib.figure.Figure` (no pyplot, no global figure state)
under the fixed style of :mod:`truce.reports._svg` (constant ``svg.hashsalt``,
``svg.fonttype = "none"``, the bundled DejaVu Sans, mathtext off, no date or
version written), with dates and numbers formatted here (no locale), nothing
rasterised and no tile server: the base map is the agreement's own geography.

Each function returns one ``<svg>`` element (no XML prolog), ready to inline
into HTML and a valid standalone SVG document too. Its ids carry a prefix
derived from its content (several figures can share a page), its root has
``role="img"`` and a ``<title>``, and its only URIs are the SVG and XLink
namespace names: every reference is a same-document ``#id``, nothing is
fetched, so a page whose Content-Security-Policy is ``default-src 'none';
style-src 'unsafe-inline'`` shows it as it is.

Caller text (titles, labels) is escaped by the SVG writer, never parsed as
markup or mathtext; control characters in it are refused.

Bad input raises :class:`~truce.errors.ValidationError` naming the field
(``events[3].lon``: NaN, infinite or out of range; an unknown category or
status; a negative count; a malformed or repeated date; a control character
in a label). Valid but empty input gives a valid figure that says "No data":
``bar_chart`` without rows, ``time_series`` without days, ``event_map``
with nothing to place it by (no events, no sites, no zone or line layers).

Event colours, :data:`CATEGORY_COLOURS` (one per category of
:data:`truce.vocabulary.EVENT_CATEGORIES`)::

    explosion                #d62728  red
    projectile_in_flight     #ff7f0e  orange
    muzzle_flash             #e6ab02  yellow
    illumination_flare       #bcbd22  olive
    bursts_of_fire           #8c564b  brown
    shots                    #e377c2  pink
    weapon_sighting          #1f77b4  blue
    damage_civilian_object   #9467bd  purple
    civilian_casualty        #000000  black
    restriction_of_movement  #17becf  cyan
    uav_jamming              #2ca02c  green

The map: zone layers as light grey outlines and line layers dark, clipped to
the map extent and simplified with shapely (Douglas-Peucker) at a tolerance
of the extent's width / 1000 degrees, about half a typographic point at the
map's printed width, so the simplification cannot be seen. Each event is a
4 pt dot in its category's colour; an event in breach of a term gets a red
ring, a possible breach an orange one. All dots of a category are one
``<path>`` (10,000 events are a handful of artists, ~50 bytes each), and dots
of one group closer than a quarter point are drawn once (the legend counts
all). Protected sites are squares: red breached, orange possibly breached,
white not breached; breached and possibly breached sites are labelled (the
first :data:`MAX_SITE_LABELS`). Axes are longitude/latitude with the
equirectangular aspect ``1 / cos(centre latitude)``; the scale bar is true at
the centre latitude (1° of longitude = 111.32 km · cos(latitude)). The drawn
layers' attributions are printed at the foot.

Example::

    from truce.agreement import load_agreement
    from truce.mission import example_agreement_path
    from truce.reports.figures import MapEvent, event_map

    svg = event_map(
        load_agreement(example_agreement_path()),
        [MapEvent(37.8, 48.6, "explosion", "breach")],
        title="Events, 10 April 2025",
        synthetic=True,
    )
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from numpy.typing import NDArray

from truce.agreement import Agreement, Layer
from truce.errors import ValidationError
from truce.reports import _svg
from truce.vocabulary import EVENT_CATEGORIES

__all__ = [
    "CATEGORY_COLOURS",
    "EVENT_STATUSES",
    "LABELS",
    "MAX_BARS",
    "MAX_SITE_LABELS",
    "SITE_STATUSES",
    "Labels",
    "MapEvent",
    "MapSite",
    "bar_chart",
    "event_map",
    "time_series",
]

#: Event category -> dot colour (see the module docstring).
CATEGORY_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "explosion": "#d62728",
        "projectile_in_flight": "#ff7f0e",
        "muzzle_flash": "#e6ab02",
        "illumination_flare": "#bcbd22",
        "bursts_of_fire": "#8c564b",
        "shots": "#e377c2",
        "weapon_sighting": "#1f77b4",
        "damage_civilian_object": "#9467bd",
        "civilian_casualty": "#000000",
        "restriction_of_movement": "#17becf",
        "uav_jamming": "#2ca02c",
    }
)
#: An event's compliance status on a map ("" = not evaluated).
EVENT_STATUSES = ("breach", "possible_breach", "no_breach", "")
#: A protected site's status on a map.
SITE_STATUSES = ("breached", "possible", "none")
#: At most this many bars; further rows are summed into one "Other (n)" bar.
MAX_BARS = 30
#: At most this many breached or possibly breached sites are labelled on a map.
MAX_SITE_LABELS = 15

_CATEGORY_LABELS = {
    "explosion": "Explosion",
    "projectile_in_flight": "Projectile in flight",
    "muzzle_flash": "Muzzle flash",
    "illumination_flare": "Illumination flare",
    "bursts_of_fire": "Bursts of fire",
    "shots": "Shots",
    "weapon_sighting": "Weapon sighting",
    "damage_civilian_object": "Damage to a civilian object",
    "civilian_casualty": "Civilian casualty",
    "restriction_of_movement": "Restriction of movement",
    "uav_jamming": "UAV jamming",
}
_RINGS = {
    "breach": ("#b00020", "In breach of a term"),
    "possible_breach": ("#f08c00", "Possible breach"),
}
_SITES = {
    "breached": ("#b00020", "Protected site: breached"),
    "possible": ("#f0a000", "Protected site: possibly breached"),
    "none": ("#ffffff", "Protected site: not breached"),
}

#: Every fixed label (gettext msgid) the figures draw, in plain English.
LABELS: tuple[str, ...] = (
    "SYNTHETIC",
    "No data",
    "No events",
    "Other",
    "Base map",
    "km",
    *_CATEGORY_LABELS.values(),
    *(label for _colour, label in _RINGS.values()),
    *(label for _colour, label in _SITES.values()),
)

#: A translator of fixed labels (gettext-style); ``None`` means English.
Labels = Callable[[str], str]

_KM_PER_DEGREE = 111.32  # km per degree of longitude at the equator
_MAP_SIZE = (9.0, 6.0)  # inches
_MAP_AXES = (0.07, 0.11, 0.58, 0.80)  # left, bottom, width, height (figure fraction)
_SIMPLIFY_DIVISOR = 1000.0
_MIN_SPAN_DEGREES = 1.0
_GREY, _DARK, _INK, _MUTED = "#b4b4b4", "#222222", "#111111", "#555555"
_CURRENT, _PREVIOUS, _ALERT = "#1f4e79", "#a6bddb", "#b00020"
_MAX_LABEL = 36


@dataclass(frozen=True)
class MapEvent:
    """One event on a map: WGS 84 position, category, compliance status."""

    lon: float
    lat: float
    category: str  #: one of :data:`~truce.vocabulary.EVENT_CATEGORIES`
    status: str = ""  #: one of :data:`EVENT_STATUSES`


@dataclass(frozen=True)
class MapSite:
    """One protected site on a map: WGS 84 position, label, status."""

    lon: float
    lat: float
    label: str
    status: str = "none"  #: one of :data:`SITE_STATUSES`


# --------------------------------------------------------------------------- public


def event_map(
    agreement: Agreement,
    events: Sequence[MapEvent],
    *,
    title: str,
    sites: Sequence[MapSite] = (),
    synthetic: bool = False,
    labels: Labels | None = None,
) -> str:
    """A map of ``events`` and ``sites`` over the agreement's zones and lines, as SVG.

    The extent is the bounds of the events and sites with a margin (at least
    1° across), else the line layers' bounds, else the zone layers'; with
    none of these the figure says "No data". The legend names each drawn
    layer, each event category present, each ring and site status, with
    counts; a scale bar in km sits at the lower left; ``synthetic`` adds a
    visible "SYNTHETIC" mark; ``labels`` translates the fixed texts
    (:data:`LABELS`). Raises ValidationError for a bad event or site (field
    ``events[i].lon`` etc.) or title.
    """
    _ = _translator(labels)
    title = _svg.text(title, "title")
    lon, lat, cats, statuses = _read_events(events)
    slon, slat, sstatuses = _read_sites(sites)
    extent = _extent(agreement, np.concatenate([lon, slon]), np.concatenate([lat, slat]))
    with _svg.style():
        if extent is None:
            return _svg.finish(_no_data(title, synthetic, _), title)
        fig = Figure(figsize=_MAP_SIZE)
        ax = fig.add_axes(_MAP_AXES)
        x0, x1, y0, y1 = extent
        handles = _base_layers(ax, agreement, extent)
        handles += _draw_events(ax, lon, lat, cats, statuses, extent, _)
        handles += _draw_sites(ax, sites, slon, slat, sstatuses, _)
        if not events:
            ax.text(0.98, 0.97, _("No events"), transform=ax.transAxes, ha="right", va="top",
                    fontsize=8, color=_MUTED, style="italic")  # fmt: skip
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)), adjustable="datalim")
        ax.xaxis.set_major_formatter(FuncFormatter(_lon_label))
        ax.yaxis.set_major_formatter(FuncFormatter(_lat_label))
        ax.tick_params(labelsize=7)
        ax.grid(color="#eeeeee", linewidth=0.5)
        ax.set_axisbelow(True)
        _scale_bar(ax, extent, _)
        if handles:
            fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.91),
                       fontsize=7, frameon=False, borderaxespad=0.0)  # fmt: skip
        _title(fig, title, x=_MAP_AXES[0])
        _caption(fig, agreement, _)
        if synthetic:
            _synthetic(fig, _, ax=ax)
        return _svg.finish(fig, title)


def bar_chart(
    rows: Sequence[tuple[str, int, int]],
    *,
    title: str,
    current: str = "This period",
    previous: str = "Previous period",
    synthetic: bool = False,
    labels: Labels | None = None,
) -> str:
    """Paired horizontal bars — ``current`` and ``previous`` period — for each
    ``(label, count, previous)`` row, top to bottom in the rows' order, as SVG.

    Each bar is annotated with its count; labels over 36 characters are cut
    with "…"; past :data:`MAX_BARS` rows the rest are summed into one
    "Other (n)" bar. No rows gives a "No data" figure. Raises ValidationError
    for a negative or non-integer count (field ``rows[i].count`` or
    ``rows[i].previous``) or a bad label.
    """
    _ = _translator(labels)
    title = _svg.text(title, "title")
    current, previous = _svg.text(current, "current"), _svg.text(previous, "previous")
    checked = [_read_row(row, i) for i, row in enumerate(rows)]
    if len(checked) > MAX_BARS:
        rest = checked[MAX_BARS - 1 :]
        other = (f"{_('Other')} ({len(rest):,})", sum(r[1] for r in rest), sum(r[2] for r in rest))
        checked = [*checked[: MAX_BARS - 1], other]
    with _svg.style():
        if not checked:
            return _svg.finish(_no_data(title, synthetic, _), title)
        n = len(checked)
        width, height = 8.0, max(2.4, 1.25 + 0.32 * n)
        left, right, top, bottom = 2.7, 0.8, 0.75, 0.45
        fig = Figure(figsize=(width, height))
        box = (
            left / width,
            bottom / height,
            1 - (left + right) / width,
            1 - (top + bottom) / height,
        )
        ax = fig.add_axes(box)
        ys = np.arange(n, dtype=float)
        now = np.array([r[1] for r in checked], dtype=float)
        before = np.array([r[2] for r in checked], dtype=float)
        bars_now = ax.barh(ys - 0.2, now, height=0.38, color=_CURRENT, label=current)
        bars_before = ax.barh(ys + 0.2, before, height=0.38, color=_PREVIOUS, label=previous)
        top_value = float(max(now.max(), before.max(), 1.0))
        for offset, values in ((-0.2, now), (0.2, before)):
            for y, value in zip(ys + offset, values, strict=True):
                ax.text(value + top_value * 0.01, y, f"{int(value):,}", va="center", fontsize=6.5)
        ax.set_yticks(ys, [_shorten(r[0]) for r in checked])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, top_value * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_count_label))
        _plain_axes(ax, grid="x")
        fig.legend(handles=[bars_now, bars_before], loc="lower right", ncols=2, fontsize=7,
                   frameon=False, bbox_to_anchor=(1 - right / width, 1 - top / height),
                   borderaxespad=0.2)  # fmt: skip
        _title(fig, title, x=0.02, y=1 - 0.3 / height)
        if synthetic:
            _synthetic(fig, _, y=1 - 0.3 / height)
        return _svg.finish(fig, title)


def time_series(
    days: Sequence[tuple[str, int]],
    *,
    title: str,
    ylabel: str = "Events",
    synthetic: bool = False,
    labels: Labels | None = None,
) -> str:
    """Daily counts as bars along the calendar, as SVG.

    ``days`` are ``("YYYY-MM-DD", count)`` pairs in any order; a date not
    given has no bar (give it 0 to show it was counted). Ticks are ISO dates,
    at most 9, 1, 2, 7, 14, 28... days apart. No days gives a "No data"
    figure. Raises ValidationError for a malformed or repeated date or a
    negative count (field ``days[i]`` / ``days[i].count``).
    """
    _ = _translator(labels)
    title, ylabel = _svg.text(title, "title"), _svg.text(ylabel, "ylabel")
    parsed = _read_days(days)
    with _svg.style():
        if not parsed:
            return _svg.finish(_no_data(title, synthetic, _), title)
        first = parsed[0][0].toordinal()
        xs = np.array([d.toordinal() - first for d, _n in parsed], dtype=float)
        ns = np.array([n for _d, n in parsed], dtype=float)
        span = int(xs[-1])
        fig = Figure(figsize=(8.0, 3.2))
        ax = fig.add_axes((0.08, 0.12, 0.9, 0.72))
        ax.bar(xs, ns, width=0.8, color=_CURRENT)
        ax.xaxis.set_major_locator(
            FixedLocator([float(t) for t in range(0, span + 1, _date_step(span))])
        )
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: date.fromordinal(first + round(v)).isoformat())
        )
        ax.set_xlim(-0.7, span + 0.7)
        ax.set_ylim(0, max(float(ns.max()), 1.0) * 1.08)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_count_label))
        ax.set_ylabel(ylabel, fontsize=7.5)
        _plain_axes(ax, grid="y")
        _title(fig, title, x=0.02, y=0.93)
        if synthetic:
            _synthetic(fig, _, y=0.93)
        return _svg.finish(fig, title)


# --------------------------------------------------------------------------- input


def _translator(labels: Labels | None) -> Labels:
    if labels is None:
        return str
    return lambda msgid: _svg.clean(str(labels(msgid)))


def _coordinate(value: object, field: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValidationError(f"expected a number, got {type(value).__name__}", field=field)
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise ValidationError(f"must be finite and within ±{limit:g}; got {value!r}", field=field)
    return number


_Array = NDArray[np.float64]


def _read_events(events: Sequence[MapEvent]) -> tuple[_Array, _Array, list[str], list[str]]:
    lon, lat = np.empty(len(events)), np.empty(len(events))
    cats: list[str] = []
    statuses: list[str] = []
    for i, e in enumerate(events):
        lon[i] = _coordinate(e.lon, f"events[{i}].lon", 180)
        lat[i] = _coordinate(e.lat, f"events[{i}].lat", 90)
        if e.category not in CATEGORY_COLOURS:
            raise ValidationError(
                f"unknown event category {e.category!r}", field=f"events[{i}].category"
            )
        if e.status not in EVENT_STATUSES:
            raise ValidationError(
                f"must be one of {', '.join(map(repr, EVENT_STATUSES))}; got {e.status!r}",
                field=f"events[{i}].status",
            )
        cats.append(e.category)
        statuses.append(e.status)
    return lon, lat, cats, statuses


def _read_sites(sites: Sequence[MapSite]) -> tuple[_Array, _Array, list[str]]:
    lon, lat = np.empty(len(sites)), np.empty(len(sites))
    statuses: list[str] = []
    for i, s in enumerate(sites):
        lon[i] = _coordinate(s.lon, f"sites[{i}].lon", 180)
        lat[i] = _coordinate(s.lat, f"sites[{i}].lat", 90)
        _svg.text(s.label, f"sites[{i}].label")
        if s.status not in SITE_STATUSES:
            raise ValidationError(
                f"must be one of {', '.join(SITE_STATUSES)}; got {s.status!r}",
                field=f"sites[{i}].status",
            )
        statuses.append(s.status)
    return lon, lat, statuses


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValidationError(f"expected an integer, got {type(value).__name__}", field=field)
    if value < 0:
        raise ValidationError(f"must not be negative, got {value}", field=field)
    return int(value)


def _read_row(row: object, i: int) -> tuple[str, int, int]:
    if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != 3:
        raise ValidationError("expected (label, count, previous)", field=f"rows[{i}]")
    label, count, previous = row
    return (
        _svg.text(label, f"rows[{i}].label"),
        _count(count, f"rows[{i}].count"),
        _count(previous, f"rows[{i}].previous"),
    )


def _read_days(days: Sequence[tuple[str, int]]) -> list[tuple[date, int]]:
    out: dict[date, int] = {}
    for i, item in enumerate(days):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise ValidationError("expected (YYYY-MM-DD, count)", field=f"days[{i}]")
        text, n = item
        try:
            if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"not a YYYY-MM-DD date: {text!r}", field=f"days[{i}]") from None
        if day in out:
            raise ValidationError(f"date {text} given twice", field=f"days[{i}]")
        out[day] = _count(n, f"days[{i}].count")
    return sorted(out.items())


# --------------------------------------------------------------------------- style and output


def _title(fig: Figure, title: str, *, x: float, y: float = 0.955) -> None:
    fig.text(x, y, title, fontsize=11, fontweight="bold", ha="left", va="center", color=_INK)


def _synthetic(fig: Figure, _: Labels, *, y: float = 0.955, ax: Axes | None = None) -> None:
    mark = _("SYNTHETIC")
    fig.text(0.98, y, mark, fontsize=11, fontweight="bold", color=_ALERT, ha="right", va="center")
    if ax is not None:  # a watermark across the map as well
        ax.text(0.5, 0.5, mark, transform=ax.transAxes, fontsize=44, fontweight="bold",
                color=_ALERT, alpha=0.12, ha="center", va="center", rotation=30,
                rotation_mode="anchor", zorder=1)  # fmt: skip


def _no_data(title: str, synthetic: bool, _: Labels) -> Figure:
    fig = Figure(figsize=(8.0, 2.0))
    _title(fig, title, x=0.02, y=0.85)
    fig.text(0.5, 0.42, _("No data"), fontsize=12, color=_MUTED, ha="center", va="center")
    if synthetic:
        _synthetic(fig, _, y=0.85)
    return fig


def _plain_axes(ax: Axes, *, grid: str) -> None:
    ax.tick_params(labelsize=7)
    ax.grid(axis=grid, color="#eeeeee", linewidth=0.5)  # type: ignore[arg-type]  # "x" | "y"
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _shorten(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1].rstrip() + "…"


def _count_label(value: float, _pos: int | None) -> str:
    return f"{round(value):,}"


def _lon_label(value: float, _pos: int | None) -> str:
    return f"{abs(value):g}°{'E' if value > 0 else 'W'}" if value else "0°"


def _lat_label(value: float, _pos: int | None) -> str:
    return f"{abs(value):g}°{'N' if value > 0 else 'S'}" if value else "0°"


def _date_step(span: int) -> int:
    for step in (1, 2, 7, 14, 28, 56, 91, 182, 364):
        if span // step <= 8:
            return step
    return math.ceil(span / 8 / 364) * 364


# --------------------------------------------------------------------------- map

_Extent = tuple[float, float, float, float]  # lon min, lon max, lat min, lat max


def _extent(agreement: Agreement, lon: _Array, lat: _Array) -> _Extent | None:
    """Bounds with a margin, widened to the axes' shape at the centre latitude."""
    if len(lon):
        x0, x1, y0, y1 = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    else:
        layers = agreement.layers.lines or agreement.layers.zones
        if not layers:
            return None
        geoms = np.concatenate([layer.geometries() for layer in layers])
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
    dx, dy = x1 - x0, y1 - y0
    mx = max(0.08 * dx, (_MIN_SPAN_DEGREES - dx) / 2)
    my = max(0.08 * dy, (_MIN_SPAN_DEGREES - dy) / 2)
    x0, x1, y0, y1 = x0 - mx, x1 + mx, max(y0 - my, -89.0), min(y1 + my, 89.0)
    cos0 = math.cos(math.radians((y0 + y1) / 2))
    box = (_MAP_SIZE[0] * _MAP_AXES[2]) / (_MAP_SIZE[1] * _MAP_AXES[3])
    if (x1 - x0) * cos0 / (y1 - y0) < box:
        grow = (box * (y1 - y0) / cos0 - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * cos0 / box - (y1 - y0)) / 2
        y0, y1 = max(y0 - grow, -89.0), min(y1 + grow, 89.0)
    return x0, x1, y0, y1


def _segments(geoms: NDArray[np.object_], extent: _Extent) -> list[_Array]:
    """The lines of ``geoms`` clipped to the extent (plus a margin) and simplified."""
    x0, x1, y0, y1 = extent
    pad = 0.05 * (x1 - x0)
    clipped = shapely.clip_by_rect(geoms, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    simple = shapely.simplify(clipped, (x1 - x0) / _SIMPLIFY_DIVISOR)
    parts = shapely.get_parts(shapely.get_parts(simple))
    return [
        np.asarray(shapely.get_coordinates(part), dtype=float)
        for part in parts
        if not shapely.is_empty(part) and shapely.get_num_points(part) >= 2
    ]


def _layer_label(layer: Layer) -> str:
    label = _svg.clean(layer.title or layer.id)
    if layer.synthetic and "synthetic" not in label.lower():
        label = f"{label} (synthetic)"
    return "\n".join(textwrap.wrap(label, width=40)[:3])


def _base_layers(ax: Axes, agreement: Agreement, extent: _Extent) -> list[Artist]:
    handles: list[Artist] = []
    styles = (
        (agreement.layers.zones, _GREY, 0.6, 1.0),
        (agreement.layers.lines, _DARK, 1.3, 2.0),
    )
    for layers, colour, width, zorder in styles:
        for layer in layers:
            geoms = layer.geometries()
            if layer.kind == "zone":
                geoms = shapely.boundary(geoms)
            lines = LineCollection(_segments(geoms, extent), colors=colour, linewidths=width,
                                   label=_layer_label(layer), zorder=zorder)  # fmt: skip
            ax.add_collection(lines, autolim=False)
            handles.append(lines)
    return handles


def _draw_events(
    ax: Axes,
    lon: _Array,
    lat: _Array,
    cats: list[str],
    statuses: list[str],
    extent: _Extent,
    _: Labels,
) -> list[Artist]:
    """Rings (one path per breach status) under dots (one path per category)."""
    x0, x1, y0, y1 = extent
    quarter_point = (
        (x1 - x0) / (_MAP_SIZE[0] * _MAP_AXES[2] * 72) / 4,
        (y1 - y0) / (_MAP_SIZE[1] * _MAP_AXES[3] * 72) / 4,
    )
    dots: list[Artist] = []
    rings: list[Artist] = []
    category = np.array(cats, dtype=object)
    for name in EVENT_CATEGORIES:
        mask = category == name
        if n := int(mask.sum()):
            colour = CATEGORY_COLOURS[name]
            ax.add_artist(_dots(lon[mask], lat[mask], quarter_point, colour, size=4.0, zorder=5))
            dots.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                               markerfacecolor=colour, markeredgecolor=colour,
                               label=f"{_(_CATEGORY_LABELS[name])} ({n:,})"))  # fmt: skip
    status = np.array(statuses, dtype=object)
    for key, (colour, text) in _RINGS.items():
        mask = status == key
        if n := int(mask.sum()):
            ax.add_artist(_dots(lon[mask], lat[mask], quarter_point, colour, size=7.0, zorder=4))
            rings.append(Line2D([], [], linestyle="none", marker="o", markersize=4,
                                markerfacecolor="#dddddd", markeredgecolor=colour,
                                markeredgewidth=1.5, label=f"{_(text)} ({n:,})"))  # fmt: skip
    return dots + rings


def _dots(
    lon: _Array, lat: _Array, cell: tuple[float, float], colour: str, *, size: float, zorder: float
) -> PathPatch:
    """Round dots of ``size`` points at the positions, as one path.

    A dot is a round-capped stroke along a segment 1/25 of ``cell`` long
    (about 0.01 pt); positions in the same ``cell`` are drawn once, the first
    given.
    """
    cells = np.column_stack([np.floor(lon / cell[0]), np.floor(lat / cell[1])])
    _unique, first = np.unique(cells, axis=0, return_index=True)
    keep = np.sort(first)
    xs, ys = lon[keep], lat[keep]
    vertices = np.empty((2 * len(keep), 2))
    vertices[0::2, 0], vertices[0::2, 1] = xs, ys
    vertices[1::2, 0], vertices[1::2, 1] = xs + cell[0] / 25, ys
    codes = np.tile(np.array([Path.MOVETO, Path.LINETO], dtype=Path.code_type), len(keep))
    path = Path(vertices, codes)
    path.should_simplify = False  # simplification would drop the tiny segments
    patch = PathPatch(path, fill=False, edgecolor=colour, linewidth=size, capstyle="round",
                      zorder=zorder)  # fmt: skip
    patch.set_snap(False)  # snapping would collapse each segment to a point
    return patch


def _draw_sites(
    ax: Axes, sites: Sequence[MapSite], lon: _Array, lat: _Array, statuses: list[str], _: Labels
) -> list[Artist]:
    handles: list[Artist] = []
    status = np.array(statuses, dtype=object)
    for rank, (key, (colour, text)) in enumerate(_SITES.items()):
        mask = status == key
        if n := int(mask.sum()):
            (marks,) = ax.plot(lon[mask], lat[mask], linestyle="none", marker="s", markersize=6,
                               markerfacecolor=colour, markeredgecolor=_INK, markeredgewidth=0.8,
                               zorder=6.2 - rank / 10, label=f"{_(text)} ({n:,})")  # fmt: skip
            handles.append(marks)
    shown = [i for i, s in enumerate(statuses) if s != "none"][:MAX_SITE_LABELS]
    for i in shown:
        ax.annotate(sites[i].label, (lon[i], lat[i]), xytext=(5, 3), textcoords="offset points",
                    fontsize=6, color=_INK, zorder=7, annotation_clip=True)  # fmt: skip
    return handles


def _scale_bar(ax: Axes, extent: _Extent, _: Labels) -> None:
    """A bar of a round number of km (1, 2 or 5 × 10^k, at most a fifth of the
    map's width) at the lower left, true at the centre latitude."""
    x0, x1, y0, y1 = extent
    km_per_degree = _KM_PER_DEGREE * math.cos(math.radians((y0 + y1) / 2))
    target = (x1 - x0) * km_per_degree / 5
    magnitude = 10.0 ** math.floor(math.log10(target))
    length = max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    span = length / km_per_degree
    ax.add_line(Line2D([bx, bx + span], [by, by], color=_INK, linewidth=2.5,
                       solid_capstyle="butt", zorder=8))  # fmt: skip
    text = f"{length:,.0f}" if length >= 1 else f"{length:g}"
    ax.text(bx + span / 2, by + 0.015 * (y1 - y0), f"{text} {_('km')}", ha="center",
            va="bottom", fontsize=7, color=_INK, zorder=8)  # fmt: skip


def _caption(fig: Figure, agreement: Agreement, _: Labels) -> None:
    """The drawn layers' attributions, wrapped, at the foot of the figure."""
    credits = [
        " ".join(_svg.clean(layer.attribution).split())
        for layer in (*agreement.layers.zones, *agreement.layers.lines)
        if layer.attribution
    ]
    if credits:
        lines = textwrap.wrap(f"{_('Base map')}: " + " ".join(credits), width=170)[:4]
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=5, color=_MUTED, ha="left", va="bottom")
