"""The ``truce`` command line: thin commands over :class:`truce.mission.Mission`.

Each command module registers its commands on the group in :mod:`._app`.
"""

from __future__ import annotations

import sys

from truce.cli import (
    agreement,
    casework,
    channel,
    compliance,
    demo,
    keys,
    log,
    records,
    report,
    verify,
)
from truce.cli._app import cli, run

__all__ = ["cli", "main"]

_COMMAND_MODULES = (
    agreement,
    casework,
    channel,
    compliance,
    demo,
    keys,
    log,
    records,
    report,
    verify,
)


def main() -> None:
    """Console entry point."""
    sys.exit(run())
