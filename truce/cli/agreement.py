"""``truce agreement``: load, list, show and compare agreement versions."""

from __future__ import annotations

import click
from rich.markup import escape as esc
from rich.table import Table

from truce.cli._app import State, cli, console, emit_json, open_mission, pass_state

__all__ = ["agreement"]


@cli.group()
def agreement() -> None:
    """Agreement versions: terms, geography and protected-site lists as data.

    Example: truce agreement diff 1 2
    """


@agreement.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_state
def agreement_load(state: State, file: str) -> None:
    """Load a new agreement version from YAML (older versions are kept unchanged).

    Example: truce agreement load examples/agreement-v2.yaml
    """
    with open_mission(state) as m:
        a, receipt = m.load_agreement(file)
    console.print(f"loaded {a.id} version {a.version} ({len(a.terms)} terms) as #{receipt.seq}")


@agreement.command("list")
@pass_state
def agreement_list(state: State) -> None:
    """List the loaded agreement versions.

    Example: truce agreement list
    """
    with open_mission(state) as m:
        table = Table("agreement", "version", "effective", "terms", "record", "loaded")
        for v in m.agreement_versions():
            a = m.agreement(v.agreement_id, v.version)
            table.add_row(
                v.agreement_id,
                str(v.version),
                a.effective.isoformat(),
                str(len(a.terms)),
                f"#{v.seq} {v.record_id[:12]}",
                v.signed_at,
            )
    console.print(table)


@agreement.command("show")
@click.argument("version", type=int, required=False)
@click.option("--id", "agreement_id", help="Agreement id, when the mission has several.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole document as JSON.")
@pass_state
def agreement_show(
    state: State, version: int | None, agreement_id: str | None, as_json: bool
) -> None:
    """Show one version (default: the latest): parties, terms, site lists.

    Example: truce agreement show 1
    """
    with open_mission(state) as m:
        a = m.agreement(agreement_id, version)
        if as_json:
            emit_json(a.to_document())
            return
        console.print(f"[bold]{esc(a.title)}[/] — {esc(a.id)} version {a.version}")
        console.print(f"effective {a.effective.isoformat()} ({a.time_zone.key})")
        console.print(
            "parties: " + ", ".join(f"{p.id} = {p.name}" for p in a.parties), markup=False
        )
        table = Table("term", "v", "type", "title")
        for t in a.terms:
            table.add_row(esc(t.id), str(t.version), t.type, esc(t.title or ""))
        console.print(table)
        lists = Table("site list", "held by", "sites")
        for sl in a.site_lists:
            lists.add_row(esc(sl.id), esc(sl.held_by), str(len(a.sites_in(sl.id))))
        console.print(lists)


@agreement.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
@click.option("--id", "agreement_id", help="Agreement id, when the mission has several.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@pass_state
def agreement_diff(
    state: State, old: int, new: int, agreement_id: str | None, as_json: bool
) -> None:
    """Show what changed between two versions (terms, geography, site lists).

    Example: truce agreement diff 1 2
    """
    with open_mission(state) as m:
        d = m.agreement_diff(old, new, agreement_id=agreement_id)
    if as_json:
        emit_json([c.to_dict() for c in d.changes])
        return
    lines = d.summary_lines()
    for line in lines if d.changes else [*lines, "no differences"]:
        click.echo(line)
