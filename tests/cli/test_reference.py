"""The committed CLI reference matches the commands, and every command has an Example."""

from __future__ import annotations

from pathlib import Path

import click

from truce.cli import cli
from truce.cli.reference import _walk, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_docs_cli_md_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `make docs` to regenerate docs/cli.md"


def test_every_command_has_an_example() -> None:
    for path, cmd in _walk(cli, ["truce"]):
        assert "Example:" in (cmd.help or ""), f"{' '.join(path)} has no Example: in its help"
        assert isinstance(cmd, click.Command)
