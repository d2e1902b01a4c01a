"""``truce compliance run|list|summary`` on a copy of the small demo mission."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_commands import Truce, demo_dir, mission, truce

__all__ = ["demo_dir", "mission", "truce"]  # fixtures shared with test_commands


def test_run_list_and_summary(truce: Truce, mission: Path) -> None:
    first = truce("--mission", mission, "compliance", "run", "--full")  # the demo ran one
    assert first.rc == 0, first.err
    assert "(all records)" in first.out and "assessments: breach" in first.out
    again = truce("--mission", mission, "compliance", "run")
    assert "evaluated 0 events" in again.out
    listed = truce(
        "--mission",
        mission,
        "compliance",
        "list",
        "--term",
        "moratorium.energy",
        "--json",
        "--limit",
        "0",
    )
    rows = [json.loads(line) for line in listed.out.splitlines()]
    assert rows and {r["term"] for r in rows} == {"moratorium.energy"}
    assert {r["list"] for r in rows} == {"energy-A", "energy-B"}
    table = truce("--mission", mission, "compliance", "list", "--status", "breach", "--limit", "5")
    assert table.rc == 0 and "breach" in table.out
    summary = truce(
        "--mission", mission, "compliance", "summary", "--by", "region", "--json"
    ).json()
    assert summary and all(set(r) >= {"term", "list", "region", "breach"} for r in summary)
    text = truce("--mission", mission, "compliance", "summary")
    assert "moratorium.energy" in text.out and "energy-A" in text.out


def test_bad_filters_are_refused(truce: Truce, mission: Path) -> None:
    r = truce("--mission", mission, "compliance", "list", "--status", "maybe")
    assert r.rc == 2 and "maybe" in r.err


def test_a_mission_without_events(truce: Truce, tmp_path: Path) -> None:
    assert truce("init", tmp_path / "m").rc == 0
    assert "truce compliance run" in truce("--mission", tmp_path / "m", "compliance", "list").out
    run = truce("--mission", tmp_path / "m", "compliance", "run")
    assert run.rc == 0 and "evaluated 0 events" in run.out
    assert "no assessments yet" in truce("--mission", tmp_path / "m", "compliance", "summary").out
    assert truce("--mission", tmp_path / "m", "compliance", "summary", "--json").json() == []
