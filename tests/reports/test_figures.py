"""Report figures: well-formed, deterministic, self-contained SVG that shows the data."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import font_manager

from truce.agreement import Agreement, Party, load_agreement
from truce.errors import ValidationError
from truce.mission import example_agreement_path
from truce.reports import _svg
from truce.reports.figures import (
    CATEGORY_COLOURS,
    LABELS,
    MAX_BARS,
    MapEvent,
    MapSite,
    bar_chart,
    event_map,
    time_series,
)
from truce.vocabulary import EVENT_CATEGORIES

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")

EVENTS = [
    MapEvent(37.62, 48.30, "explosion", "breach"),
    MapEvent(37.70, 48.45, "explosion", "no_breach"),
    MapEvent(37.40, 48.10, "shots", "possible_breach"),
    MapEvent(37.95, 48.60, "restriction_of_movement", ""),
]
SITES = [
    MapSite(37.55, 48.25, "Kurakhove power station [WRI1005104]", "breached"),
    MapSite(37.90, 48.50, "Vuhlehirska power station", "possible"),
    MapSite(38.20, 48.00, "Zuevskaya power station", "none"),
]
DAYS = [(f"2025-03-{d:02d}", (d * 7) % 11) for d in range(1, 31)]
ROWS = [("explosion", 12, 3), ("shots", 0, 5), ("Donetsk Oblast", 100, 80)]


@functools.cache
def example() -> Agreement:
    return load_agreement(example_agreement_path())


@pytest.fixture
def agreement() -> Agreement:
    return example()


def no_geography() -> Agreement:
    return Agreement(
        id="bare",
        version=1,
        title="An agreement without geography",
        time_zone=ZoneInfo("UTC"),
        effective=datetime(2025, 1, 1, tzinfo=UTC),
        parties=(Party("A", "Party A"), Party("B", "Party B")),
        terms=(),
    )


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in parse(svg).iter(f"{SVG}text")]


def paths(svg: str) -> list[ET.Element]:
    return list(parse(svg).iter(f"{SVG}path"))


def stroked(svg: str, colour: str) -> list[ET.Element]:
    return [p for p in paths(svg) if f"stroke: {colour}" in p.get("style", "")]


def dots(svg: str, colour: str) -> ET.Element:
    """The one path of round dots (or rings) in ``colour``."""
    (found,) = [p for p in stroked(svg, colour) if "stroke-linecap: round" in p.get("style", "")]
    return found


def sample_map(agreement: Agreement, *, synthetic: bool = True) -> str:
    return event_map(agreement, EVENTS, title="Events, 10 April", sites=SITES, synthetic=synthetic)


def all_figures(agreement: Agreement) -> dict[str, str]:
    return {
        "map": sample_map(agreement),
        "empty_map": event_map(agreement, [], title="No events"),
        "bar": bar_chart(ROWS, title="By category"),
        "series": time_series(DAYS, title="Per day"),
        "no_data": bar_chart([], title="Nothing"),
    }


# --------------------------------------------------------------------------- well formed


def test_every_figure_is_one_well_formed_svg_element(agreement: Agreement) -> None:
    for name, svg in all_figures(agreement).items():
        root = parse(svg)
        assert svg.startswith("<svg ") and svg.endswith("</svg>\n"), name
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        assert title is not None and title.text, name
        assert root.get("aria-labelledby") == title.get("id")


def test_no_timestamp_version_or_metadata(agreement: Agreement) -> None:
    for svg in all_figures(agreement).values():
        assert "<metadata" not in svg and "<?xml" not in svg and "DOCTYPE" not in svg
        assert matplotlib.__version__ not in svg
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", svg)


def test_no_external_references(agreement: Agreement) -> None:
    for name, svg in all_figures(agreement).items():
        rest = svg
        for uri in NAMESPACES:
            rest = rest.replace(uri, "")
        assert "http" not in rest.lower(), name
        assert "<image" not in svg and "<script" not in svg and "<a " not in svg
        assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', svg)), name
        assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", svg)), name


def test_ids_are_unique_resolved_and_distinct_between_figures(agreement: Agreement) -> None:
    seen: dict[str, str] = {}
    for name, svg in all_figures(agreement).items():
        ids = re.findall(r'\sid="([^"]+)"', svg)
        assert len(ids) == len(set(ids)), name
        refs = re.findall(r'href="#([^"]+)"', svg) + re.findall(r"url\(#([^)]+)\)", svg)
        assert refs or name == "no_data"
        assert set(refs) <= set(ids), name
        for i in ids:
            assert i not in seen, f"{i} in {name} and {seen.get(i)}"
            seen[i] = name


def test_default_style_is_scoped_to_its_own_root(agreement: Agreement) -> None:
    svg = bar_chart(ROWS, title="By category")
    root = parse(svg)
    style = root.find(f"{SVG}defs/{SVG}style")
    assert style is not None and style.text is not None
    assert style.text.startswith(f"#{root.get('id')} *{{")


# --------------------------------------------------------------------------- determinism


def test_same_bytes_twice_in_one_process(agreement: Agreement) -> None:
    assert all_figures(agreement) == all_figures(agreement)


def test_global_rc_changes_do_not_reach_the_figures(agreement: Agreement) -> None:
    before = all_figures(agreement)
    hostile = {
        "svg.hashsalt": None,
        "svg.fonttype": "path",
        "font.family": "serif",
        "font.size": 17,
        "lines.linewidth": 6,
        "text.parse_math": True,
        "axes.unicode_minus": False,
    }
    with matplotlib.rc_context(hostile):
        assert all_figures(agreement) == before
        assert matplotlib.rcParams["font.size"] == 17  # the caller's settings are restored


_SCRIPT = textwrap.dedent(
    """
    import hashlib, json
    from truce.agreement import load_agreement
    from truce.mission import example_agreement_path
    from tests.reports.test_figures import all_figures
    figures = all_figures(load_agreement(example_agreement_path()))
    print(json.dumps({k: hashlib.sha256(v.encode()).hexdigest() for k, v in figures.items()}))
    """
)


def test_same_bytes_in_a_fresh_process_with_a_hostile_matplotlibrc(
    agreement: Agreement, tmp_path: Path
) -> None:
    rc = tmp_path / "matplotlibrc"
    rc.write_text(
        "svg.hashsalt: other\nsvg.fonttype: path\nfont.family: serif\nfont.size: 19\n"
        "lines.linewidth: 5\naxes.formatter.use_locale: True\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "MATPLOTLIBRC": str(rc), "PYTHONHASHSEED": "12345", "LC_ALL": "C"}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in all_figures(agreement).items()}
    assert theirs == ours


def test_layout_uses_the_bundled_dejavu_sans() -> None:
    data = Path(matplotlib.get_data_path()).resolve()
    with _svg.style():
        for weight in ("normal", "bold"):
            found = Path(font_manager.findfont(font_manager.FontProperties(weight=weight)))
            assert found.resolve().is_relative_to(data), found
            assert "DejaVuSans" in found.name


# --------------------------------------------------------------------------- the map


def test_map_legend_names_layers_categories_rings_and_sites(agreement: Agreement) -> None:
    shown = texts(sample_map(agreement))
    for label in (
        "Oblasts of Ukraine (ADM1)",
        "Contact line (SYNTHETIC approximation)",
        "Explosion (2)",
        "Shots (1)",
        "Restriction of movement (1)",
        "In breach of a term (1)",
        "Possible breach (1)",
        "Protected site: breached (1)",
        "Protected site: possibly breached (1)",
        "Protected site: not breached (1)",
    ):
        assert label in shown, label
    assert not any(t.startswith("Weapon sighting") for t in shown)  # absent categories
    assert "Kurakhove power station [WRI1005104]" in shown  # breached sites are labelled
    assert "Zuevskaya power station" not in shown  # unbreached ones are not


def test_map_has_a_round_scale_bar(agreement: Agreement) -> None:
    bars = [t for t in texts(sample_map(agreement)) if t.endswith(" km")]
    assert len(bars) == 1
    km = float(bars[0].removesuffix(" km").replace(",", ""))
    mantissa = km / 10 ** math.floor(math.log10(km))
    assert round(mantissa, 9) in (1, 2, 5)


def test_map_is_not_blank(agreement: Agreement) -> None:
    svg = sample_map(agreement)
    zones = stroked(svg, "#b4b4b4")  # oblast boundaries in view, and the legend's sample
    assert len(zones) >= 3 and sum(p.get("d", "").count("L") for p in zones) > 100
    line = stroked(svg, "#222222")  # the contact line and the legend's sample
    assert len(line) == 2 and max(p.get("d", "").count("L") for p in line) >= 5
    for category, n in (("explosion", 2), ("shots", 1), ("restriction_of_movement", 1)):
        assert dots(svg, CATEGORY_COLOURS[category]).get("d", "").count("M") == n
    for ring in ("#b00020", "#f08c00"):
        assert dots(svg, ring).get("d", "").count("M") == 1


def test_events_at_one_spot_are_drawn_once_and_counted(agreement: Agreement) -> None:
    events = [MapEvent(37.5, 48.2, "uav_jamming")] * 3 + [MapEvent(37.9, 48.4, "uav_jamming")]
    svg = event_map(agreement, events, title="Jamming")
    assert dots(svg, CATEGORY_COLOURS["uav_jamming"]).get("d", "").count("M") == 2
    assert "UAV jamming (4)" in texts(svg)


def test_map_without_events_shows_the_geography(agreement: Agreement) -> None:
    svg = event_map(agreement, [], title="Quiet day")
    shown = texts(svg)
    assert "No events" in shown and "Contact line (SYNTHETIC approximation)" in shown
    assert max(p.get("d", "").count("L") for p in stroked(svg, "#222222")) >= 10
    assert not any(t.startswith("Explosion") for t in shown)


def test_map_without_anything_to_place_says_no_data() -> None:
    svg = event_map(no_geography(), [], title="Nowhere")
    assert "No data" in texts(svg)


def test_map_of_ten_thousand_events_is_a_handful_of_paths(agreement: Agreement) -> None:
    events = [
        MapEvent(
            36.0 + (i * 7919 % 1000) / 400,
            47.0 + (i * 104729 % 1000) / 450,
            EVENT_CATEGORIES[i % len(EVENT_CATEGORIES)],
            ("breach", "possible_breach", "no_breach", "")[i % 4],
        )
        for i in range(10_000)
    ]
    svg = event_map(agreement, events, title="Ten thousand")
    drawn = [p for p in paths(svg) if "stroke-linecap: round" in p.get("style", "")]
    assert len(drawn) <= len(EVENT_CATEGORIES) + 2
    assert sum(p.get("d", "").count("M") for p in drawn) <= 10_000 + 5_000
    assert "In breach of a term (2,500)" in texts(svg)
    assert len(svg) < 2_000_000


def test_sites_alone_place_the_map(agreement: Agreement) -> None:
    svg = event_map(agreement, [], title="Sites", sites=SITES[:1])
    assert "Kurakhove power station [WRI1005104]" in texts(svg)


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (MapEvent(float("nan"), 48.0, "explosion"), "events[1].lon"),
        (MapEvent(37.0, float("inf"), "explosion"), "events[1].lat"),
        (MapEvent(37.0, 91.0, "explosion"), "events[1].lat"),
        (MapEvent(-180.5, 48.0, "explosion"), "events[1].lon"),
        (MapEvent(37.0, 48.0, "artillery"), "events[1].category"),
        (MapEvent(37.0, 48.0, "explosion", "violation"), "events[1].status"),
    ],
)
def test_bad_events_are_refused_naming_the_field(
    agreement: Agreement, event: MapEvent, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        event_map(agreement, [EVENTS[0], event], title="Bad")
    assert info.value.field == field


def test_bad_sites_and_titles_are_refused(agreement: Agreement) -> None:
    with pytest.raises(ValidationError) as info:
        event_map(agreement, [], title="x", sites=[MapSite(float("nan"), 48, "s", "none")])
    assert info.value.field == "sites[0].lon"
    with pytest.raises(ValidationError) as info:
        event_map(agreement, [], title="x", sites=[MapSite(37, 48, "s", "destroyed")])
    assert info.value.field == "sites[0].status"
    with pytest.raises(ValidationError) as info:
        event_map(agreement, [], title="bell\x07")
    assert info.value.field == "title"


# --------------------------------------------------------------------------- charts


def test_bar_chart_shows_labels_counts_and_period_names() -> None:
    svg = bar_chart(ROWS, title="By category", current="Now", previous="Before")
    shown = texts(svg)
    for text in ("explosion", "shots", "Donetsk Oblast", "12", "3", "0", "5", "100", "80"):
        assert text in shown, text
    assert "Now" in shown and "Before" in shown
    assert sum(1 for p in paths(svg) if "#1f4e79" in p.get("style", "")) >= len(ROWS)


def test_bar_chart_folds_extra_rows_into_other() -> None:
    rows = [(f"region {i:02d}", i, 1) for i in range(MAX_BARS + 5)]
    shown = texts(bar_chart(rows, title="Regions"))
    folded = rows[MAX_BARS - 1 :]
    assert f"Other ({len(folded)})" in shown
    assert str(sum(r[1] for r in folded)) in shown
    assert f"region {MAX_BARS - 2:02d}" in shown and f"region {MAX_BARS - 1:02d}" not in shown


def test_long_labels_are_shortened() -> None:
    shown = texts(bar_chart([("x" * 80, 1, 1)], title="Long"))
    assert "x" * 35 + "…" in shown


def test_time_series_ticks_are_iso_dates() -> None:
    shown = texts(time_series(DAYS, title="Per day", ylabel="Observations"))
    assert "2025-03-01" in shown and "2025-03-08" in shown and "2025-03-02" not in shown
    assert "Observations" in shown


def test_empty_charts_say_no_data() -> None:
    for svg in (bar_chart([], title="None"), time_series([], title="None")):
        assert "No data" in texts(svg)


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([("a", -1, 0)], "rows[0].count"),
        ([("a", 1, 2), ("b", 1, -2)], "rows[1].previous"),
        ([("a", True, 0)], "rows[0].count"),
        ([("a", 1.5, 0)], "rows[0].count"),
        ([("a", 1)], "rows[0]"),
        ([(3, 1, 1)], "rows[0].label"),
    ],
)
def test_bad_rows_are_refused(rows: list[tuple[object, ...]], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        bar_chart(rows, title="Bad")  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("days", "field"),
    [
        ([("2025-02-30", 1)], "days[0]"),
        ([("25-03-01", 1)], "days[0]"),
        ([("2025-03-01", 1), ("2025-03-01", 2)], "days[1]"),
        ([("2025-03-01", -1)], "days[0].count"),
    ],
)
def test_bad_days_are_refused(days: list[tuple[str, int]], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        time_series(days, title="Bad")
    assert info.value.field == field


# --------------------------------------------------------------------------- marks and text


def test_synthetic_mark_only_when_asked(agreement: Agreement) -> None:
    pairs = [
        (lambda s: event_map(agreement, EVENTS, title="m", synthetic=s)),
        (lambda s: bar_chart(ROWS, title="b", synthetic=s)),
        (lambda s: time_series(DAYS, title="t", synthetic=s)),
        (lambda s: bar_chart([], title="n", synthetic=s)),
    ]
    for draw in pairs:
        assert "SYNTHETIC" in texts(draw(True))
        assert "SYNTHETIC" not in texts(draw(False))


def test_caller_text_stays_text() -> None:
    nasty = '</text><script>alert(1)</script> & "$x^2$" \\$'
    svg = bar_chart([(nasty[:30], 1, 1)], title=nasty)
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert nasty in texts(svg)  # mathtext off: dollars and backslashes as written
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == nasty


def test_labels_translate_every_fixed_text(agreement: Agreement) -> None:
    asked: list[str] = []

    def shout(msgid: str) -> str:
        asked.append(msgid)
        return msgid.upper()

    svg = event_map(agreement, EVENTS, title="m", sites=SITES, synthetic=True, labels=shout)
    assert "EXPLOSION (2)" in texts(svg) and "SYNTHETIC" in texts(svg)
    bar_chart(ROWS * 20, title="b", labels=shout)
    time_series([], title="t", labels=shout)
    assert asked and set(asked) <= set(LABELS)
    assert {"Other", "No data", "km", "Base map"} <= set(asked)


def test_colour_table_covers_the_vocabulary() -> None:
    assert set(CATEGORY_COLOURS) == set(EVENT_CATEGORIES)
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORY_COLOURS)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in CATEGORY_COLOURS.values())


_LABEL_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(_LABEL_TEXT, st.integers(0, 10**6), st.integers(0, 10**6)), max_size=8),
    _LABEL_TEXT,
)
def test_any_rows_give_parseable_deterministic_svg(
    rows: list[tuple[str, int, int]], title: str
) -> None:
    svg = bar_chart(rows, title=title)
    parse(svg)
    assert svg == bar_chart(rows, title=title)
    if rows:
        assert f"{rows[0][1]:,}" in texts(svg)
    else:
        assert "No data" in texts(svg)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(22, 40), st.floats(44, 52.5), st.sampled_from(EVENT_CATEGORIES)),
        min_size=1,
        max_size=30,
    )
)
def test_any_events_are_all_inside_the_map(events: list[tuple[float, float, str]]) -> None:
    svg = event_map(example(), [MapEvent(*e) for e in events], title="Any")
    root = parse(svg)
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    for category in {e[2] for e in events}:
        found = dots(svg, CATEGORY_COLOURS[category]).get("d", "")
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", found)]
        xs, ys = numbers[0::2], numbers[1::2]
        # Inside the axes box: 7%..65% of the width, 9%..89% of the height (y down).
        assert all(0.07 * width - 0.01 <= x <= 0.65 * width + 0.01 for x in xs)
        assert all(0.09 * height - 0.01 <= y <= 0.89 * height + 0.01 for y in ys)
