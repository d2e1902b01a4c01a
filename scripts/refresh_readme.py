"""Refresh the README's example output from real runs.

Runs the README's ```sh blocks in order, in a scratch directory holding a copy
of ``truce-demo`` (build it first with ``make demo``), and replaces the
```text block that follows each one with what the commands printed (stdout and
stderr interleaved, 100 columns). A text block ending in a line ``...`` keeps
only as many lines as it had. The demo's own output block (after ``make demo``)
is replaced with the last lines ``truce demo`` prints.

Usage: ``make readme`` (or ``.venv/bin/python scripts/refresh_readme.py .``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

_BLOCK = re.compile(r"```sh\n((?:(?!```).)*?)```\n\n```text\n((?:(?!```).)*?)```", re.S)
_DEMO = re.compile(r"(Its\slast lines:\n\n```text\n)((?:(?!```).)*?)```", re.S)


def _run(commands: str, cwd: Path) -> str:
    env = dict(os.environ, COLUMNS="100", TERM="dumb")
    done = subprocess.run(
        ["bash", "-c", commands],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return done.stdout.replace(f"{cwd}/", "")


def refresh(root: Path) -> str:
    readme = (root / "README.md").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = _run(".venv/bin/truce demo --dir truce-demo", root_link(root, work))
        last = demo[demo.index("mission truce-demo") : demo.index("\nNext, try:")]
        readme = _DEMO.sub(lambda m: m.group(1) + last.rstrip("\n") + "\n```", readme, count=1)
        parts, pos = [], 0
        for m in _BLOCK.finditer(readme):
            text = _run(m.group(1), work)
            old = m.group(2).rstrip("\n").split("\n")
            if old[-1].strip() == "...":
                text = "\n".join(text.split("\n")[: len(old) - 1]) + "\n" + old[-1]
            parts.append(readme[pos : m.start(2)] + text.rstrip("\n") + "\n")
            pos = m.end(2)
        parts.append(readme[pos:])
    return "".join(parts)


def root_link(root: Path, work: Path) -> Path:
    """Make ``work`` look like the repository root: the venv and examples linked."""
    for name in (".venv", "examples"):
        os.symlink(root / name, work / name)
    return work


if __name__ == "__main__":
    top = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    if not (top / ".venv").exists():
        sys.exit("run `make demo` first: the README's commands use .venv")
    (top / "README.md").write_text(refresh(top), encoding="utf-8")
