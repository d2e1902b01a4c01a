"""Rendering a report to Markdown and HTML: deterministic, escaped, complete, translatable."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from truce.errors import ValidationError
from truce.reports.render import FIGURE_TITLES, LABELS, render_html, render_markdown

HEX_A = "a3f1c09b7e2d" + "0" * 52
HEX_B = "5be0d4c2a191" + "1" * 52
HEX_C = "77c1e0aa0b3f" + "2" * 52


def report() -> dict[str, Any]:
    """A realistic daily report, synthetic, with 2-3 rows per list."""
    return {
        "format": "truce-report/1",
        "kind": "daily",
        "title": "Daily report: energy moratorium",
        "language": "en",
        "synthetic": True,
        "mission": "truce-demo",
        "period": {
            "start": "2025-04-09T16:30:00Z",
            "end": "2025-04-10T16:30:00Z",
            "time_zone": "Europe/Kyiv",
            "label": "9 April 2025 19:30 – 10 April 2025 19:30 (Europe/Kyiv)",
        },
        "checkpoint": {
            "origin": "truce/truce-demo",
            "size": 3371,
            "root": "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
        },
        "agreement": {
            "id": "ua-energy-ceasefire",
            "version": 1,
            "title": "Moratorium on strikes against energy infrastructure",
        },
        "summary": [
            "Two probable breaches of the energy moratorium near Zaporizhzhia.",
            "Monitors saw 14% of the area; no energy site was observed directly.",
        ],
        "counts": {
            "total": 17,
            "previous_total": 16,
            "by_category": [
                {"key": "explosion", "count": 12, "previous": 9},
                {"key": "shelling", "count": 5, "previous": 7},
                {"key": "drone strike", "count": 0, "previous": 0},
            ],
            "by_region": [
                {"key": "Donetsk Oblast", "count": 5, "previous": 7},
                {"key": "Zaporizhzhia Oblast", "count": 12, "previous": 9},
            ],
        },
        "findings": [
            {
                "record_id": HEX_A,
                "term": "moratorium.energy@1",
                "outcome": "breach",
                "certainty": "probable",
                "attribution": "not attributed: impact direction not established",
                "summary": "Strike 850 m from the substation; transformer damaged.",
                "approved_at": "2025-04-10T15:02:11Z",
                "replies": ["A", "B"],
            },
            {
                "record_id": HEX_B,
                "term": "moratorium.energy@1",
                "outcome": "possible breach",
                "certainty": "possible",
                "attribution": "not attributed: single source",
                "summary": "Reported drone strike on a power line; not yet observed.",
                "approved_at": "2025-04-10T16:10:00Z",
                "replies": [],
            },
        ],
        "allegations": [
            {
                "party": "A",
                "filed": 3,
                "acknowledged": 1,
                "under_verification": 0,
                "confirmed": 1,
                "not_confirmed": 0,
                "unable_to_verify": 1,
            },
            {
                "party": "B",
                "filed": 2,
                "acknowledged": 2,
                "under_verification": 1,
                "confirmed": 0,
                "not_confirmed": 1,
                "unable_to_verify": 0,
            },
        ],
        "energy_sites": [
            {
                "site": "gppd/WRI1005101",
                "name": "Zaporizhia power station",
                "list": "energy-A",
                "status": "breach",
                "events": 2,
                "nearest_m": 850.0,
            },
            {
                "site": "gppd/WRI1005107",
                "name": "Dnipro substation 4",
                "list": "energy-B",
                "status": "possible breach",
                "events": 1,
                "nearest_m": 1234.4,
            },
        ],
        "coverage": {
            "days": [
                {
                    "date": "2025-04-09",
                    "area_share": 0.125,
                    "sites_seen": 3,
                    "sites_total": 64,
                    "camera_hours": 12.5,
                    "patrols": 2,
                },
                {
                    "date": "2025-04-10",
                    "area_share": 0.14,
                    "sites_seen": 0,
                    "sites_total": 64,
                    "camera_hours": 1189.0,
                    "patrols": 6,
                },
            ],
            "area_share": 0.13,
            "site_share": 0.0,
        },
        "restrictions": {
            "total": 1,
            "by_kind": {"denied": 0, "conditional": 1, "delayed": 0},
            "by_party": {"A": 1, "B": 0, "unknown": 0},
        },
        "corrections": [
            {
                "record_id": HEX_C,
                "supersedes": HEX_A,
                "reason": "wrong distance to the substation",
                "at": "2025-04-10T16:20:00Z",
            },
            {
                "record_id": HEX_B,
                "supersedes": HEX_C,
                "reason": "typo in site name",
                "at": "2025-04-10T16:25:00Z",
            },
        ],
    }


def reversed_keys(value: Any) -> Any:
    """The same data with every dict's keys inserted in reverse order."""
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


RENDERERS = pytest.mark.parametrize("render", [render_markdown, render_html], ids=["md", "html"])

SECTION_LABELS = [
    "Period",
    "Built from checkpoint",
    "Summary",
    "Counts",
    "Findings",
    "Allegation tracker",
    "Energy sites with breaches or possible breaches",
    "Coverage",
    "Access restrictions",
    "Corrections",
]

BANNER = "SYNTHETIC DATA — generated for demonstration; these events never happened"


def headings(text: str, *, markdown: bool) -> list[str]:
    if markdown:
        return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    return re.findall(r"<h2>(.*?)</h2>", text)


# --------------------------------------------------------------------------- determinism


@RENDERERS
def test_rendering_is_deterministic_and_ignores_key_order(render: Any) -> None:
    data = report()
    first = render(data)
    assert render(copy.deepcopy(data)) == first
    assert render(reversed_keys(data)).encode("utf-8") == first.encode("utf-8")
    assert "\r" not in first
    assert first.endswith("\n")
    assert not first.endswith("\n\n")


@RENDERERS
def test_crlf_in_data_comes_out_as_lf(render: Any) -> None:
    data = report()
    data["summary"] = ["line one\r\nline two\rline three"]
    assert "\r" not in render(data)


@RENDERERS
def test_list_order_is_the_data_order(render: Any) -> None:
    data = report()
    text = render(data)
    assert text.index("Donetsk Oblast") < text.index("Zaporizhzhia Oblast")
    data["counts"]["by_region"].reverse()
    text = render(data)
    assert text.index("Zaporizhzhia Oblast") < text.index("Donetsk Oblast")


# --------------------------------------------------------------------------- content


@pytest.mark.parametrize("markdown", [True, False], ids=["md", "html"])
def test_every_section_appears_in_order(markdown: bool) -> None:
    text = (render_markdown if markdown else render_html)(report())
    assert headings(text, markdown=markdown) == SECTION_LABELS
    assert "Daily report: energy moratorium" in text


def test_markdown_content() -> None:
    text = render_markdown(report())
    assert "# Daily report: energy moratorium\n" in text
    assert "9 April 2025 19:30 – 10 April 2025 19:30 (Europe/Kyiv)" in text
    assert "- Log origin: truce/truce-demo\n" in text
    assert "- Log size: 3,371\n" in text
    assert "ua-energy-ceasefire@1" in text
    # the note after the checkpoint list is its own paragraph, with or without a title
    assert "energy infrastructure)\n\nThis report is a deterministic" in text
    data = report()
    del data["agreement"]["title"]
    assert "- Agreement: ua-energy-ceasefire@1\n\nThis report" in render_markdown(data)
    assert "Total events: 17 (Previous period: 16; Change: +1)" in text
    assert "| explosion | 12 | 9 | +3 |" in text
    assert "| shelling | 5 | 7 | −2 |" in text
    assert "| drone strike | 0 | 0 | 0 |" in text
    # record ids cut to 12 characters; replies joined; none → dash
    assert "| a3f1c09b7e2d | moratorium.energy@1 | breach | probable |" in text
    assert HEX_A not in text
    assert "| A, B |" in text
    assert "| 5be0d4c2a191 |" in text
    assert "| A | 3 | 1 | 0 | 1 | 0 | 1 |" in text
    assert (
        "| gppd/WRI1005107 | Dnipro substation 4 | energy-B | possible breach | 1 | 1,234 m |"
        in text
    )
    assert "| 850 m |" in text
    assert "| 2025-04-09 | 13% | 3/64 | 12.5 | 2 |" in text
    assert "| 2025-04-10 | 14% | 0/64 | 1,189.0 | 6 |" in text
    assert "- Area seen over the period: 13%" in text
    assert "- Sites seen over the period: 0%" in text
    assert "Observed where we could see" in text
    assert "Total restrictions: 1" in text
    assert "| conditional | 1 |" in text
    assert text.index("| denied |") < text.index("| conditional |") < text.index("| delayed |")
    assert text.index("| A | 1 |") < text.index("| unknown | 0 |")
    assert "| 77c1e0aa0b3f | a3f1c09b7e2d | wrong distance to the substation |" in text


def test_markdown_front_matter_parses_to_the_parameters() -> None:
    text = render_markdown(report())
    assert text.startswith("---\n")
    block = text.split("---\n")[1]
    assert all(re.fullmatch(r'[a-z_]+: ".*"', line) for line in block.splitlines())
    assert yaml.safe_load(block) == {
        "format": "truce-report/1",
        "kind": "daily",
        "language": "en",
        "synthetic": "true",
        "period_start": "2025-04-09T16:30:00Z",
        "period_end": "2025-04-10T16:30:00Z",
        "checkpoint_origin": "truce/truce-demo",
        "checkpoint_size": "3371",
        "checkpoint_root": "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
        "agreement_id": "ua-energy-ceasefire",
        "agreement_version": "1",
    }


@given(st.text())
def test_front_matter_values_round_trip_through_yaml(origin: str) -> None:
    data = report()
    data["checkpoint"]["origin"] = origin
    text = render_markdown(data)
    block = text[4 : text.index("\n---\n", 4)]
    # line breaks are normalised to "\n" on reading; everything else survives
    expected = origin.replace("\r\n", "\n").replace("\r", "\n")
    assert yaml.safe_load(block)["checkpoint_origin"] == expected


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.lang: str | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        name = a.get("name") or ""
        if tag == "meta" and name.startswith("truce-report:"):
            self.meta[name.removeprefix("truce-report:")] = a.get("content") or ""


def parse(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    parser.close()
    return parser


def test_html_meta_tags_carry_the_parameters_escaped() -> None:
    data = report()
    data["checkpoint"]["origin"] = 'truce/"demo" <x> & y'
    html = render_html(data)
    meta = parse(html).meta
    assert meta["format"] == "truce-report/1"
    assert meta["kind"] == "daily"
    assert meta["checkpoint_origin"] == 'truce/"demo" <x> & y'
    assert meta["checkpoint_size"] == "3371"
    assert meta["agreement_id"] == "ua-energy-ceasefire"
    assert meta["agreement_version"] == "1"
    assert meta["period_start"] == "2025-04-09T16:30:00Z"
    assert meta["period_end"] == "2025-04-10T16:30:00Z"
    assert meta["checkpoint_root"] == data["checkpoint"]["root"]
    assert 'content="truce/&#34;demo&#34; &lt;x&gt; &amp; y"' in html


def test_html_is_self_contained() -> None:
    html = render_html(report())
    assert "http://" not in html
    assert "https://" not in html
    parsed = parse(html)
    assert "script" not in parsed.tags
    assert not {"link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert "<style>" in html
    assert "default-src 'none'" in html
    assert parsed.lang == "en"


def test_html_lang_from_the_report() -> None:
    data = report()
    data["language"] = "uk"
    assert parse(render_html(data)).lang == "uk"
    del data["language"]
    assert parse(render_html(data)).lang == "en"
    data["language"] = 'en" onload="x'
    with pytest.raises(ValidationError) as err:
        render_html(data)
    assert err.value.field == "language"


# --------------------------------------------------------------------------- escaping


def test_html_escapes_party_text() -> None:
    data = report()
    data["summary"] = ["<script>alert('x')</script> & more"]
    data["findings"][0]["summary"] = '<img src=x onerror="y">'
    data["title"] = "Report <b>bold</b>"
    html = render_html(data)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html
    assert "&lt;img src=x onerror=&#34;y&#34;&gt;" in html
    assert "<title>Report &lt;b&gt;bold&lt;/b&gt;</title>" in html
    assert "<script>" not in html
    assert "<img" not in html
    assert "script" not in parse(html).tags


def test_markdown_escapes_pipes_newlines_and_markup() -> None:
    data = report()
    data["findings"][0]["summary"] = "left | right\nnext *line* <script>"
    data["summary"] = ["- not a nested item", "1. not a list"]
    text = render_markdown(data)
    row = next(line for line in text.splitlines() if line.startswith("| a3f1c09b7e2d"))
    assert r"left \| right<br>next \*line\* \<script\>" in row
    # the row still has exactly the 8 columns of the header (9 unescaped pipes)
    assert len(re.findall(r"(?<!\\)\|", row)) == 9
    assert "<script>" not in text
    assert "- \\- not a nested item\n" in text
    assert "- 1\\. not a list\n" in text


def test_markdown_has_no_trailing_spaces_or_runs_of_blank_lines() -> None:
    text = render_markdown(report())
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "\n\n\n" not in text


# --------------------------------------------------------------------------- banner


@RENDERERS
def test_synthetic_banner_present_only_for_synthetic_data(render: Any) -> None:
    data = report()
    assert BANNER in render(data)
    data["synthetic"] = False
    assert BANNER not in render(data)
    del data["synthetic"]
    assert BANNER not in render(data)


def test_html_banner_is_red() -> None:
    html = render_html(report())
    assert '<p class="synthetic" role="note">' in html
    assert re.search(r"\.synthetic \{[^}]*background: #b00020", html)


# --------------------------------------------------------------------------- empty/missing


OPTIONAL = [
    "summary",
    "counts",
    "findings",
    "allegations",
    "energy_sites",
    "coverage",
    "restrictions",
    "corrections",
]


@RENDERERS
def test_missing_optional_sections_are_skipped(render: Any) -> None:
    data = report()
    for key in OPTIONAL:
        del data[key]
    del data["mission"]
    text = render(data)
    assert "Findings" not in text
    assert "Coverage" not in text
    assert "None in this period." not in text
    assert "Built from checkpoint" in text


@pytest.mark.parametrize("markdown", [True, False], ids=["md", "html"])
def test_empty_sections_say_none(markdown: bool) -> None:
    data = report()
    for key in ("summary", "findings", "allegations", "energy_sites", "corrections"):
        data[key] = []
    data["counts"] = {"total": 0, "previous_total": 0, "by_category": [], "by_region": []}
    data["coverage"] = {"days": []}
    data["restrictions"] = {"total": 0, "by_kind": {}, "by_party": {}}
    text = (render_markdown if markdown else render_html)(data)
    # summary, by category, by region, findings, allegations, sites, coverage days,
    # restrictions, corrections
    assert text.count("None in this period.") == 9
    assert headings(text, markdown=markdown) == SECTION_LABELS


def test_counts_without_previous_period_show_dashes() -> None:
    data = report()
    data["counts"] = {"total": 3, "by_category": [{"key": "explosion", "count": 3}]}
    text = render_markdown(data)
    assert "Total events: 3 (Previous period: —; Change: —)" in text
    assert "| explosion | 3 | — | — |" in text


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("title"), "title"),
        (lambda d: d.update(format="truce-report/2"), "format"),
        (lambda d: d["checkpoint"].update(size="3371"), "checkpoint.size"),
        (lambda d: d["findings"][1].update(summary=None), "findings[1].summary"),
        (lambda d: d["coverage"]["days"][0].update(area_share=1.5), "coverage.days[0].area_share"),
        (lambda d: d["counts"]["by_region"][0].update(count=True), "counts.by_region[0].count"),
        (lambda d: d["restrictions"]["by_party"].update(A=-1), "restrictions.by_party.A"),
        (lambda d: d.update(summary="one line"), "summary"),
        (lambda d: d.update(synthetic="yes"), "synthetic"),
        (
            lambda d: d["energy_sites"][0].update(nearest_m=float("nan")),
            "energy_sites[0].nearest_m",
        ),
        (lambda d: d.update(title="bad \ud800"), "title"),
    ],
)
@RENDERERS
def test_bad_report_names_the_field(render: Any, mutate: Any, field: str) -> None:
    data = report()
    mutate(data)
    with pytest.raises(ValidationError) as err:
        render(data)
    assert err.value.field == field


@RENDERERS
def test_not_a_mapping(render: Any) -> None:
    with pytest.raises(ValidationError):
        render(["not", "a", "report"])


# --------------------------------------------------------------------------- labels


@RENDERERS
def test_every_label_goes_through_the_translator(render: Any) -> None:
    seen: list[str] = []

    def upper(msgid: str) -> str:
        seen.append(msgid)
        return msgid.upper()

    data = report()
    text = render(data)
    loud = render(data, labels=upper)
    assert "FINDINGS" in loud
    assert "ALLEGATION TRACKER" in loud
    assert BANNER.upper() in loud
    assert "NONE IN THIS PERIOD." not in loud  # no empty section in the fixture
    assert set(seen) <= set(LABELS)
    # no English label left: every label heading is translated
    for label in SECTION_LABELS:
        assert label not in headings(loud, markdown=render is render_markdown)
        assert label.upper() in headings(loud, markdown=render is render_markdown)
    assert loud != text
    # data is not translated
    assert "Zaporizhia power station" in loud


def test_translated_labels_are_escaped() -> None:
    def evil(msgid: str) -> str:
        return "<b>|x|</b>" if msgid == "Findings" else msgid

    assert "<h2>&lt;b&gt;|x|&lt;/b&gt;</h2>" in render_html(report(), labels=evil)
    assert "## \\<b\\>\\|x\\|\\</b\\>\n" in render_markdown(report(), labels=evil)


def template_msgids() -> set[str]:
    found: set[str] = set()
    folder = resources.files("truce.reports") / "templates"
    for name in ("report.md.j2", "report.html.j2"):
        source = (folder / name).read_text(encoding="utf-8")
        assert "_(" in source
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', source))
        # every _( call is a plain string literal the regex above understood
        assert source.count("_(") == len(re.findall(r'_\("(?:[^"\\]|\\.)*"\)', source))
    return found


def test_labels_cover_every_template_msgid() -> None:
    msgids = template_msgids()
    assert msgids <= set(LABELS)
    assert set(LABELS) - set(FIGURE_TITLES) <= msgids, "LABELS lists msgids no template uses"
    assert len(LABELS) == len(set(LABELS))
