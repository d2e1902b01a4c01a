"""The ``truce`` command group, mission resolution and output helpers.

Every command is a few lines over :class:`truce.mission.Mission`; errors from
the one tree in :mod:`truce.errors` end the command with their diagnostics on
stderr and a non-zero exit code (see :data:`EXIT_CODES`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from truce import errors
from truce.mission import Mission

__all__ = [
    "EXIT_CODES",
    "cli",
    "console",
    "emit_json",
    "emit_json_lines",
    "open_mission",
    "pass_state",
    "read_json_object",
    "run",
]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

#: Exit code per error class (most specific first); 1 is any other Truce error.
EXIT_CODES: tuple[tuple[type[errors.Error], int], ...] = (
    (errors.ValidationError, 2),
    (errors.AuthError, 3),
    (errors.NotFound, 4),
    (errors.Conflict, 5),
    (errors.Pushback, 75),
    (errors.StorageError, 6),
    (errors.InconsistentLog, 8),
    (errors.VerificationError, 7),
)


class State:
    """Options shared by every command."""

    def __init__(self, mission_dir: str | None) -> None:
        self.mission_dir = mission_dir

    def directory(self) -> Path:
        return Path(self.mission_dir or os.environ.get("TRUCE_MISSION") or ".")


pass_state = click.make_pass_decorator(State)
F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--mission",
    "mission_dir",
    metavar="DIR",
    help="Mission directory (default: $TRUCE_MISSION, else the current directory).",
)
@click.version_option(package_name="truce-monitor", prog_name="truce")
@click.pass_context
def cli(ctx: click.Context, mission_dir: str | None) -> None:
    """Truce: signed records, agreement terms as data, and a verifiable log for a
    civilian ceasefire monitoring mission.

    Example: truce demo && truce --mission truce-demo list --type allegation
    """
    ctx.obj = State(mission_dir)


@contextmanager
def open_mission(state: State) -> Iterator[Mission]:
    mission = Mission.open(state.directory())
    try:
        yield mission
    finally:
        mission.close()


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def emit_json_lines(rows: Iterable[Any]) -> None:
    """One JSON value per line (JSON Lines)."""
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))


def read_json_object(source: IO[str], option: str) -> dict[str, Any]:
    """A JSON object read from an option's file; a ValidationError naming the option if not."""
    try:
        value = json.load(source)
    except json.JSONDecodeError as exc:
        raise errors.ValidationError(
            f"not JSON: {exc.msg} (line {exc.lineno})", field=option
        ) from None
    if not isinstance(value, dict):
        raise errors.ValidationError("must be a JSON object", field=option)
    return value


def exit_code(exc: errors.Error) -> int:
    for cls, code in EXIT_CODES:
        if isinstance(exc, cls):
            return code
    return 1


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; Truce errors end cleanly with diagnostics and their exit code."""
    try:
        rc = cli.main(args=argv, prog_name="truce", standalone_mode=False)
    except errors.Error as exc:
        err_console.print("[bold red]error:[/] " + escape(exc.diagnostics()))
        return exit_code(exc)
    except click.exceptions.Abort:
        err_console.print("aborted")
        return 130
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code
    return rc if isinstance(rc, int) else 0
