"""truce.verify imports only truce.ledger, itself and the standard library (+ PyNaCl).

A party must be able to vendor ``truce/ledger`` and ``truce/verify`` alone
(DESIGN.md §4). PyNaCl is allowed because ``truce.ledger`` already needs it
(Ed25519 signed notes).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import truce.verify

ALLOWED_THIRD_PARTY = {"nacl"}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.append(node.module or "")
    return names


def test_verify_imports_only_ledger_itself_and_the_stdlib() -> None:
    root = Path(truce.verify.__file__).parent
    files = sorted(root.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "truce":
                assert name.startswith(("truce.ledger", "truce.verify")) and name != "truce", (
                    f"{path.name} imports {name}"
                )
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                    f"{path.name} imports {name}"
                )


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from truce.errors import Error\nimport yaml\n", encoding="utf-8")
    assert _imports(bad) == ["truce.errors", "yaml"]
