"""Generate the CLI reference (``docs/cli.md``) from the commands' own help.

Run ``python -m truce.cli.reference > docs/cli.md`` (``make docs``); a test
fails when the committed file differs from what this prints.
"""

from __future__ import annotations

import click

from truce.cli import cli

__all__ = ["render"]


def _walk(cmd: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            out.extend(_walk(cmd.commands[name], [*path, name]))
    return out


def render() -> str:
    """The whole reference as Markdown, deterministic (sorted, fixed width)."""
    lines = [
        "# CLI reference",
        "",
        "Generated from the commands' help by `python -m truce.cli.reference`",
        "(`make docs`); `tests/cli/test_reference.py` keeps it current.",
        "",
    ]
    for path, cmd in _walk(cli, ["truce"]):
        name = " ".join(path)
        ctx = click.Context(
            cmd,
            info_name=name,
            terminal_width=100,
            max_content_width=100,
            help_option_names=["-h", "--help"],
        )
        lines += [f"## `{name}`", "", "```text", cmd.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
