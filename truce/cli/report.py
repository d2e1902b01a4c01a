"""``truce report build``: a report from the signed log, in JSON, Markdown or HTML.

The report is a deterministic function of a checkpoint, the agreement version
in force and the period: built by the mission from its own log, or by anyone
from the published log (``--log`` with ``--vkey``), it is the same bytes.
``truce verify report`` rebuilds one from the published log and compares.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import click
from rich.markup import escape

from truce.cli._app import State, cli, console, open_mission, pass_state
from truce.errors import ValidationError
from truce.publish.opendata import EXPORT_FORMATS, FINDING_FORMATS, LossReport
from truce.published import published_snapshot, read_vkey
from truce.reports import (
    FORMATS,
    LANGUAGES,
    REPORT_KINDS,
    LogSnapshot,
    ReportSpec,
    build_report,
    open_data,
    render,
)

__all__ = ["report"]


_FROM_LOG = click.option(
    "--log", "location", help="Read this published log (dir or URL) instead of the mission's."
)
_VKEY = click.option("--vkey", help="The log's verifier key (with --log).")


@cli.group()
def report() -> None:
    """Reports built from the signed log: daily, and the energy moratorium (thematic).

    Example: truce report build --kind daily --day 2025-04-10 --format html --out day.html
    """


@report.command("build")
@click.option("--kind", type=click.Choice(REPORT_KINDS), default="daily", show_default=True)
@click.option("--day", required=True, help="Local date the period ends on (YYYY-MM-DD).")
@click.option("--cutoff", default="19:30", show_default=True, help="Local cut-off time HH:MM.")
@click.option("--days", type=click.IntRange(1, 366), default=1, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option(
    "--language", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Labels."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write it here.")
@_FROM_LOG
@_VKEY
@pass_state
def report_build(
    state: State,
    kind: str,
    day: str,
    cutoff: str,
    days: int,
    fmt: str,
    language: str,
    out: Path | None,
    location: str | None,
    vkey: str | None,
) -> None:
    """Build a report. From the mission's own log at its latest checkpoint, or —
    with --log and --vkey — from a published log, checked as it is read.

    Example: truce report build --kind thematic --day 2025-04-16 --days 30 --format md
    """
    spec = _spec(kind, day, cutoff, days, language)
    if location is not None:
        if vkey is None:
            raise click.UsageError("--log needs --vkey")
        data = build_report(published_snapshot(location, read_vkey(vkey)), spec)
    else:
        with open_mission(state) as m:
            data = m.build_report(spec)
    text = render(data, fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    console.print(f"wrote {out} ({fmt}, sha256 {digest})")
    cp = data["checkpoint"]
    console.print(f"  built from checkpoint {cp['origin']} size {cp['size']:,} root {cp['root']}")


@report.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True
)
@click.option("--findings", is_flag=True, help="The approved findings instead of the events.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_FROM_LOG
@_VKEY
@pass_state
def report_export(
    state: State,
    fmt: str,
    findings: bool,
    out: Path,
    location: str | None,
    vkey: str | None,
) -> None:
    """Open data from the signed log: the published events (or approved findings) as
    CSV or GeoJSON, or in ACLED- or UCDP-GED-compatible columns with a report of
    what does not map. Sealed fields and monitor identities are never written.

    Example: truce report export --format acled --out events-acled.csv
    """
    if findings and fmt not in FINDING_FORMATS:
        raise click.UsageError(f"--findings exports {' or '.join(FINDING_FORMATS)} only")
    if location is not None:
        if vkey is None:
            raise click.UsageError("--log needs --vkey")
        losses = _write(out, published_snapshot(location, read_vkey(vkey)), fmt, findings)
    else:
        with open_mission(state) as m:
            losses = _write(out, m.snapshot(), fmt, findings)
    console.print(f"wrote {losses.rows:,} rows to {out} ({fmt})")
    for line in losses.lines():
        console.print(f"  {escape(line)}")


def _write(out: Path, snapshot: LogSnapshot, fmt: str, findings: bool) -> LossReport:
    """Write to a partial file renamed into place: an export is complete or absent."""
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            losses = open_data(snapshot, fmt, fh, findings=findings)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    return losses


def _spec(kind: str, day: str, cutoff: str, days: int, language: str) -> ReportSpec:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ValidationError("not a date YYYY-MM-DD", field="--day") from None
    try:
        at = datetime.strptime(cutoff, "%H:%M").time()
    except ValueError:
        raise ValidationError("not a time HH:MM", field="--cutoff") from None
    return ReportSpec(kind, when, at, 1 if kind == "daily" else days, language)
