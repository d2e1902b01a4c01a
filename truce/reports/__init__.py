"""Reports anyone can regenerate: data from the signed log, then Markdown or HTML.

* :mod:`truce.reports.build` — :func:`~truce.reports.build.build_report`: the
  report data, a deterministic function of the log's entries up to a
  checkpoint, the agreement version in force and the period;
* :mod:`truce.reports.render` — Markdown and self-contained HTML, byte for
  byte the same for the same data;
* :func:`render` and :func:`parameters` — one entry point for the formats, and
  the parameters a rendered report states about itself (what a rebuild needs).

Example::

    from truce.reports import ReportSpec, render
    data = mission.build_report(ReportSpec("daily", date(2025, 4, 10)))
    html = render(data, "html")
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import date, time
from typing import Any, TextIO

from truce.compliance.evaluate import region_of
from truce.errors import ValidationError
from truce.publish.opendata import LogRecords, LossReport, write_export, write_findings
from truce.reports.build import (
    REPORT_FORMAT,
    REPORT_KINDS,
    LogSnapshot,
    ReportData,
    ReportSpec,
    build_report,
    data_sha256,
    latest_agreement,
)
from truce.reports.figures import MapEvent, MapSite, bar_chart, event_map
from truce.reports.i18n import LANGUAGES, labels_for
from truce.reports.render import FIGURE_TITLES, Labels, render_html, render_markdown

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "REPORT_FORMAT",
    "REPORT_KINDS",
    "LogSnapshot",
    "ReportData",
    "ReportSpec",
    "build_report",
    "data_sha256",
    "open_data",
    "parameters",
    "render",
]

#: Output formats: report data as JSON, Markdown, one self-contained HTML file.
FORMATS = ("json", "md", "html")


def render(data: Mapping[str, Any], fmt: str) -> str:
    """The report in ``fmt`` (see :data:`FORMATS`), its labels in the report's
    language (:mod:`truce.reports.i18n`). Markdown and HTML state the SHA-256 of
    the data they were rendered from."""
    stated = {**data, "data_sha256": data_sha256(data)}
    if fmt == "json":
        return json.dumps(dict(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    labels = labels_for(str(data.get("language", "en")))
    if fmt == "md":
        return render_markdown(stated, labels=labels)
    if fmt == "html":
        return render_html(stated, labels=labels, figures=_figures(data, labels))
    raise ValidationError(f"must be one of {', '.join(FORMATS)}", field="format")


def open_data(log: LogSnapshot, fmt: str, out: TextIO, *, findings: bool = False) -> LossReport:
    """Write the published observations (or, with ``findings``, the approved
    findings) of ``log`` as open data in ``fmt`` (:mod:`truce.publish.opendata`),
    streamed; returns what did not map to the format."""
    entries = list(log.entries) if not isinstance(log.entries, list) else log.entries
    records = LogRecords(lambda: entries, size=log.size)
    if findings:
        return write_findings(fmt, records, out)
    agreement = latest_agreement(LogSnapshot(log.origin, log.size, log.root, entries, log.blob))
    return write_export(
        fmt, records, out, region=region_of(agreement), time_zone=agreement.time_zone
    )


def _figures(data: Mapping[str, Any], labels: Labels) -> list[str]:
    """The HTML report's map and chart (when the data carries its agreement)."""
    agreement = getattr(data, "agreement", None)
    out: list[str] = []
    synthetic = bool(data.get("synthetic"))
    plotted = data.get("map")
    if agreement is not None and isinstance(plotted, Mapping):
        events = [
            MapEvent(e["lon"], e["lat"], e["category"], e["status"]) for e in plotted["events"]
        ]
        sites = [MapSite(s["lon"], s["lat"], s["label"], s["status"]) for s in plotted["sites"]]
        title = labels(FIGURE_TITLES[0])
        out.append(
            event_map(
                agreement, events, title=title, sites=sites, synthetic=synthetic, labels=labels
            )
        )
    counts = data.get("counts")
    if isinstance(counts, Mapping) and counts.get("by_category"):
        rows = [(r["key"], r["count"], r["previous"]) for r in counts["by_category"]]
        out.append(
            bar_chart(rows, title=labels("Events by category"), synthetic=synthetic, labels=labels)
        )
    return out


_META = re.compile(r'<meta name="truce-report:([a-z_]+)" content="([^"]*)">')
_FRONT = re.compile(r'^([a-z_]+): (".*")$', re.M)


def parameters(text: str) -> tuple[str, ReportSpec, int, str]:
    """``(format, spec, checkpoint size, checkpoint root)`` a rendered report states
    about itself; ValidationError if it states none."""
    stripped = text.lstrip()
    found: dict[str, str] = {}
    if stripped.startswith("{"):
        fmt = "json"
        try:
            doc = json.loads(text)
            spec, cp = doc["spec"], doc["checkpoint"]
            found = {
                "kind": str(spec["kind"]),
                "language": str(spec["language"]),
                "spec_day": str(spec["day"]),
                "spec_cutoff": str(spec["cutoff"]),
                "spec_days": str(spec["days"]),
                "checkpoint_size": str(cp["size"]),
                "checkpoint_root": str(cp["root"]),
            }
        except (ValueError, KeyError, TypeError):
            raise ValidationError("not report data (truce-report/1)", field="report") from None
    elif stripped.startswith("---"):
        fmt = "md"
        head = stripped.split("\n---", 1)[0]
        found = {k: json.loads(v) for k, v in _FRONT.findall(head)}
    elif "<html" in stripped[:200].lower():
        fmt = "html"
        found = {k: html.unescape(v) for k, v in _META.findall(text)}
    else:
        raise ValidationError("not a Truce report (JSON, Markdown or HTML)", field="report")
    try:
        h, m = found["spec_cutoff"].split(":")
        spec = ReportSpec(
            kind=found["kind"],
            day=date.fromisoformat(found["spec_day"]),
            cutoff=time(int(h), int(m)),
            days=int(found["spec_days"]),
            language=found.get("language", "en"),
        )
        return fmt, spec, int(found["checkpoint_size"]), found["checkpoint_root"]
    except (KeyError, ValueError) as exc:
        raise ValidationError(
            f"the report does not state its parameters ({exc})", field="report"
        ) from None
