"""truce.ledger imports nothing from the rest of truce: a party can vendor it alone."""

from __future__ import annotations

import ast
from pathlib import Path

import truce.ledger

ALLOWED_THIRD_PARTY = {"nacl"}


def test_ledger_imports_only_itself_the_stdlib_and_pynacl() -> None:
    import sys

    root = Path(truce.ledger.__file__).parent
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside the package
                    continue
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top == "truce":
                    assert name == "truce.ledger" or name.startswith("truce.ledger."), (
                        f"{path.name} imports {name}"
                    )
                else:
                    assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                        f"{path.name} imports {name}"
                    )
