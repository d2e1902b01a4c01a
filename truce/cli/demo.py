"""``truce demo``: a whole mission, end to end, on real geography with synthetic data."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from truce.cli._app import cli, console
from truce.cli.records import print_summary
from truce.demo import DemoResult, run_demo

__all__ = ["demo"]


@cli.command("demo")
@click.option(
    "--dir",
    "directory",
    default="truce-demo",
    show_default=True,
    help="Where to build the mission.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same mission.")
@click.option(
    "--days",
    type=click.IntRange(1, 90),
    default=30,
    show_default=True,
    help="Length of the scenario.",
)
@click.option("--force", is_flag=True, help="Replace an existing mission in --dir.")
def demo(directory: str, seed: int, days: int, force: bool) -> None:
    """Build a demo mission: the example agreement on real Ukrainian geography and
    energy sites, monitor and party keys, and a SYNTHETIC 30-day scenario
    (observations, coverage, allegations, evidence), all signed and stored; then a
    full verification cycle (allegations from both parties verified, an approved
    finding with both parties' replies, correspondence, one correction).

    Example: truce demo --dir truce-demo --seed 7
    """
    console.print(
        "[bold yellow]All events in this demo are SYNTHETIC[/] (generated; places are real)."
    )
    with Progress(
        TextColumn("signing and storing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("records", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run_demo(directory, seed=seed, days=days, force=force, on_progress=tick)
    print_summary(result.summary)
    n = result.notes
    console.print(
        f"energy allegations: {n['energy_allegations_matched']} with a matching observation, "
        f"{n['energy_allegations_unmatched']} without, "
        f"{n['energy_allegations_contradicted']} contradicted by the other party"
    )
    console.print("\nCasework, every step a signed record:")
    for line in result.casework.lines:
        console.print(f"  {escape(line)}")
    console.print("\nSigned checkpoint of the log (every record above is an entry in it):")
    click.echo(result.checkpoint.note.decode("utf-8"), nl=False)
    previous = result.status.previous
    report = result.audit.report
    console.print(
        f"\nPublished in {directory}/public/log; verified from those files alone with the "
        f"vkey in {directory}/public/vkey:"
    )
    if previous is not None:
        console.print(
            f"  consistent with the first checkpoint (size {previous.size}): the log only grew"
        )
    console.print(
        f"  full audit: {report.entries:,} entries, their signatures and "
        f"{result.audit.blobs} geography blobs, {report.tiles:,} tiles, the signed root: ok"
    )
    console.print("\nEnergy moratorium, every event against the version in force (per site list):")
    for row in result.compliance:
        console.print(
            f"  {row['list']}: {row['breach']} breach, {row['possible_breach']} possible breach, "
            f"{row['no_breach']} no breach"
        )
    console.print("\nReports, each rebuilt from the published log and found byte-identical:")
    for target, digest in result.reports:
        console.print(f"  {target.relative_to(result.directory.parent)}  sha256 {digest[:16]}…")
    console.print("\nNext, try:")
    for cmd in (
        f"truce --mission {directory} list --type allegation --limit 5",
        f"truce --mission {directory} allegation list --state confirmed",
        f"truce --mission {directory} history {result.casework.finding[:12]}",
        f"truce --mission {directory} correspond threads",
        f"truce --mission {directory} coverage summary --days 3",
        f"truce --mission {directory} show '#3'",
        f"truce --mission {directory} agreement diff 1 2",
        f"truce --mission {directory} compliance list --term moratorium.energy --status breach",
        f"truce --mission {directory} compliance summary --by region",
        f"truce --mission {directory} keys list",
        f"truce --mission {directory} log prove '#100' > proof.json",
        f"truce verify record proof.json --vkey {directory}/public/vkey",
        f"truce verify --log {directory}/public/log --vkey {directory}/public/vkey",
        f"truce verify report {_html(result).relative_to(result.directory.parent)} "
        f"--log {directory}/public/log --vkey {directory}/public/vkey",
        f"truce log fsck {directory}/public/log --vkey {directory}/public/vkey",
        f"truce --mission {directory} export --out records.jsonl",
    ):
        console.print(f"  .venv/bin/{cmd}")


def _html(result: DemoResult) -> Path:
    """The first HTML report the demo published."""
    return next(p for p, _ in result.reports if p.suffix == ".html")
