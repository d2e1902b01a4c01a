"""``truce compliance``: rule on every event against the agreement in force."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from truce.cli._app import (
    State,
    cli,
    console,
    emit_json,
    emit_json_lines,
    open_mission,
    pass_state,
)
from truce.store.contract import ASSESSMENT_STATUSES

__all__ = ["compliance"]


@cli.group()
def compliance() -> None:
    """Check observations and allegations against the agreement's terms: breach,
    possible breach (the uncertainty straddles a boundary) or no breach, with why.

    Example: truce compliance run && truce compliance summary --by region
    """


@compliance.command("run")
@click.option("--since", type=click.IntRange(min=0), help="Re-evaluate records from this seq on.")
@click.option("--full", is_flag=True, help="Re-evaluate every record.")
@pass_state
def compliance_run(state: State, since: int | None, full: bool) -> None:
    """Evaluate the events recorded since the last run (all of them after a new
    agreement version) against the version in force when each happened.

    Example: truce compliance run --full
    """
    with (
        open_mission(state) as m,
        Progress(
            TextColumn("evaluating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("events", total=None)
        report = m.compliance_run(
            since=since,
            full=full,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    scope = "all records" if report.full else f"records from #{report.since_seq}"
    counts = ", ".join(f"{s} {report.statuses.get(s, 0)}" for s in reversed(ASSESSMENT_STATUSES))
    console.print(
        f"evaluated {report.events} events ({scope}): {report.assessments} assessments: {counts}"
    )


@compliance.command("list")
@click.option("--term", "term_id", help="Only this term, e.g. moratorium.energy.")
@click.option("--status", type=click.Choice(ASSESSMENT_STATUSES), help="Only this status.")
@click.option("--list", "list_id", help="Only this site list, e.g. energy-A.")
@click.option("--record", help="Only this record (id, prefix or #SEQ).")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one assessment per line.")
@pass_state
def compliance_list(
    state: State,
    term_id: str | None,
    status: str | None,
    list_id: str | None,
    record: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List stored assessments with their explanation (distance, limit, feature, time).

    Example: truce compliance list --term moratorium.energy --status breach
    """
    with open_mission(state) as m:
        rows = m.assessments(
            term_id=term_id, status=status, list_id=list_id, record=record, limit=limit or None
        )
    if as_json:
        emit_json_lines(rows)
        return
    if not rows:
        console.print("no assessments match (events are assessed by: truce compliance run)")
    for row in rows:
        where = f" [{row['list']}]" if row["list"] else ""
        region = f" {row['region']}" if row["region"] else ""
        console.print(
            f"#{row['seq']} {row['term']}{escape(where)}: [bold]{row['status']}[/] "
            f"{row['day']}{escape(region)} — {escape(_why(row['explanation']))}"
        )


def _why(e: dict[str, object]) -> str:
    parts = []
    limit = f" (limit {e['limit_m']:,.0f} m)" if "limit_m" in e else ""
    if "distance_m" in e:
        parts.append(f"{e['distance_m']:,.0f} m from {e.get('feature', '?')}{limit}")
    elif "farther_than_m" in e:
        parts.append(f"farther than {e['farther_than_m']:,.0f} m{limit}")
    elif "feature" in e:
        parts.append(f"at {e['feature']}")
    parts.append(f"±{e.get('uncertainty_m', 0):,.0f} m")
    parts.append(f"time {e.get('time_status', '?')}")
    return ", ".join(parts)


@compliance.command("summary")
@click.option(
    "--by",
    type=click.Choice(["term", "day", "region"]),
    default="term",
    show_default=True,
    help="Group the counts by term only, or also by day or region.",
)
@click.option("--term", "term_id", help="Only this term.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def compliance_summary(state: State, by: str, term_id: str | None, as_json: bool) -> None:
    """Counts of breaches, possible breaches and no breaches per term and site list.

    Example: truce compliance summary --by region --term moratorium.energy
    """
    with open_mission(state) as m:
        rows = m.compliance_summary(by, term_id=term_id)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        console.print("no assessments yet (events are assessed by: truce compliance run)")
        return
    columns = ["term", "list", *([by] if by != "term" else []), *reversed(ASSESSMENT_STATUSES)]
    table = Table(*columns)
    for row in rows:
        table.add_row(*(escape(str(row[c] if row[c] is not None else "")) for c in columns))
    console.print(table, width=max(console.width, 120))
