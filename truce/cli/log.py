"""``truce log``: integrate, show checkpoints, prove inclusion, publish."""

from __future__ import annotations

import time

import click

from truce.cli._app import State, cli, console, emit_json, open_mission, pass_state

__all__ = ["log"]


@cli.group()
def log() -> None:
    """The tamper-evident log: every record is an entry in an RFC 6962 Merkle tree.

    Example: truce log checkpoint
    """


@log.command("checkpoint")
@pass_state
def log_checkpoint(state: State) -> None:
    """Integrate new entries and print the latest signed checkpoint (C2SP signed note).

    Example: truce log checkpoint > checkpoint.txt
    """
    with open_mission(state) as m:
        head = m.integrate()
    click.echo(head.note.decode("utf-8"), nl=False)


@log.command("integrate")
@click.option("--every", type=click.FloatRange(min=0.1), help="Repeat every SECONDS.")
@click.option(
    "--times",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many rounds (with --every).",
)
@pass_state
def log_integrate(state: State, every: float | None, times: int) -> None:
    """Fold newly stored records into the tree and sign a checkpoint when any are new.

    Example: truce log integrate --every 5 --times 720
    """
    with open_mission(state) as m:
        for round_ in range(times if every else 1):
            head = m.integrate()
            console.print(f"checkpoint size {head.size} root {head.root.hex()[:16]}…")
            if every and round_ + 1 < times:
                time.sleep(every)


@log.command("vkey")
@pass_state
def log_vkey(state: State) -> None:
    """Print the verifier key that checks this mission's checkpoints.

    Example: truce log vkey > mission.vkey
    """
    with open_mission(state) as m:
        click.echo(m.log_vkey())


@log.command("prove")
@click.argument("ref")
@pass_state
def log_prove(state: State, ref: str) -> None:
    """Print an inclusion proof (JSON) of one record in the latest checkpoint.

    Example: truce log prove '#42'
    """
    with open_mission(state) as m:
        emit_json(m.prove(ref))
