"""``truce log``: integrate, show checkpoints, prove inclusion, publish."""

from __future__ import annotations

import time

import click

from truce.cli._app import State, cli, console, emit_json, open_mission, pass_state
from truce.cli.verify import print_audit, read_file
from truce.published import read_vkey

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
@click.option(
    "--every",
    type=click.FloatRange(min=0.1),
    is_flag=False,
    flag_value=5.0,
    metavar="[SECONDS]",
    help="Keep integrating every SECONDS (5 if no value is given) until stopped.",
)
@click.option("--times", type=click.IntRange(min=1), help="Stop after this many rounds.")
@pass_state
def log_integrate(state: State, every: float | None, times: int | None) -> None:
    """Fold newly stored records into the tree, sign a checkpoint when any are new,
    and publish the log when the mission has a publish_dir. Once, or periodically.

    Example: truce log integrate --every 5
    """
    rounds = 1 if every is None else times
    with open_mission(state) as m:
        done = 0
        try:
            while rounds is None or done < rounds:
                head = m.integrate()
                done += 1
                where = f", published in {m.publish_path()}" if m.settings.publish_dir else ""
                console.print(f"checkpoint size {head.size} root {head.root.hex()[:16]}…{where}")
                if every is not None and (rounds is None or done < rounds):
                    time.sleep(every)
        except KeyboardInterrupt:
            console.print(f"stopped after {done} rounds")


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


@log.command("publish")
@click.argument("directory", required=False, metavar="[DIR]")
@click.option("--repair", is_flag=True, help="Also re-create published files gone missing.")
@pass_state
def log_publish(state: State, directory: str | None, repair: bool) -> None:
    """Publish the log as static files (C2SP tlog-tiles) in DIR (default: the
    mission's publish_dir): tiles, entry bundles, blobs, and the checkpoint last.

    Serve DIR with any web server; parties check it with `truce verify --log`.

    Example: truce log publish /srv/www/log
    """
    with open_mission(state) as m:
        report = m.publish(directory, repair=repair)
        target = m.publish_path(directory)
    console.print(
        f"published {report.size:,} entries in {target}: {report.files_written:,} files "
        f"written, {report.unchanged:,} unchanged"
    )


@log.command("fsck")
@click.argument("location", required=False, metavar="[URL_OR_DIR]")
@click.option(
    "--vkey", metavar="VKEY", help="The log's verifier key or its file (default: the mission's)."
)
@click.option(
    "--since", metavar="FILE", help="A checkpoint seen before; report a rollback or fork."
)
@pass_state
def log_fsck(state: State, location: str | None, vkey: str | None, since: str | None) -> None:
    """Audit a published log in full: re-hash every entry, re-derive every tile and
    the signed root, check every entry's signature against keys replayed from the
    log and every blob's hash. Names each fault; exit code 7 if there is any.

    Example: truce log fsck public/log --vkey public/vkey
    """
    if location is None or vkey is None:
        with open_mission(state) as m:
            location = location or str(m.publish_path())
            key = read_vkey(vkey) if vkey else m.log_vkey()
    else:
        key = read_vkey(vkey)
    print_audit(location, key, None if since is None else read_file(since, "since"))
