"""The demo mission: deterministic, labelled synthetic, and internally consistent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from truce.demo import DemoResult, demo_signer, run_demo
from truce.errors import ValidationError
from truce.mission import Mission
from truce.scenario import ScenarioConfig
from truce.workflow.visibility import Reader

SYNTHETIC_KINDS = {
    "observation",
    "allegation",
    "coverage",
    "evidence",
    "correspondence",
    "allegation_step",
    "verification_task",
    "link",
    "finding",
    "approval",
    "reply",
    "acknowledgement",
    "access",
}
SMALL: dict[str, Any] = {"days": 2, "observations_per_day": 20}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo") / "m", seed=7, **SMALL)


@pytest.fixture(scope="module")
def mission(demo: DemoResult) -> Iterator[Mission]:
    m = Mission.open(demo.directory)
    yield m
    m.close()


@pytest.fixture(scope="module")
def records(mission: Mission) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, record id, payload) of every stored record, in log order."""
    return [(r.kind, r.record_id, json.loads(r.payload)) for r in mission.store.scan()]


def _ids(directory: Path) -> list[str]:
    with Mission.open(directory) as m:
        return [r.record_id for r in m.store.scan()]


def test_same_seed_same_records(demo: DemoResult, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    again = run_demo(tmp_path / "again", seed=7, on_progress=lambda *a: calls.append(a), **SMALL)
    first = _ids(demo.directory)
    assert len(first) == demo.summary["records"]
    assert _ids(again.directory) == first
    assert again.notes == demo.notes
    assert again.summary["by_type"] == demo.summary["by_type"]
    # Progress: monotonic, one total, ending complete.
    assert calls
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len({t for _, t in calls}) == 1
    assert calls[-1][0] == calls[-1][1]


def test_a_different_seed_gives_different_records(demo: DemoResult, tmp_path: Path) -> None:
    other = run_demo(tmp_path / "other", seed=8, **SMALL)
    first, second = _ids(demo.directory), _ids(other.directory)
    assert first != second
    with Mission.open(other.directory) as m:
        observations = {r.record_id for r in m.store.scan(kinds=["observation"])}
    with Mission.open(demo.directory) as m:
        assert observations.isdisjoint(r.record_id for r in m.store.scan(kinds=["observation"]))


def test_refuses_an_existing_mission_without_force(demo: DemoResult) -> None:
    before = _ids(demo.directory)
    with pytest.raises(ValidationError, match="already holds a mission"):
        run_demo(demo.directory, seed=7, **SMALL)
    assert _ids(demo.directory) == before


def test_summary_matches_the_store(demo: DemoResult, records: list[Any]) -> None:
    s = demo.summary
    assert s["mission"] == "truce-demo"
    assert s["records"] == len(records)
    assert sum(s["by_type"].values()) == len(records)
    assert s["agreements"] == ["ua-energy-ceasefire@1", "ua-energy-ceasefire@2"]
    assert s["active_keys_by_role"] == {
        "admin": 1,
        "analyst": 1,
        "approver": 1,
        "monitor": 12,
        "party": 2,
    }
    synthetic = sum(1 for _, _, p in records if p.get("synthetic"))
    assert s["synthetic"] == synthetic


def test_generated_records_are_labelled_synthetic(records: list[Any]) -> None:
    seen = set()
    for kind, _, payload in records:
        if kind in SYNTHETIC_KINDS | {"correction"}:
            assert payload["synthetic"] is True, payload
            assert payload["source"] == "synthetic", payload
            seen.add(kind)
        else:
            assert kind in ("key", "agreement")
            assert payload.get("synthetic", False) is False
            assert "source" not in payload
    assert seen == SYNTHETIC_KINDS | {"correction"}


def test_demo_keys_are_derived_from_the_seed(demo: DemoResult, mission: Mission) -> None:
    keys = {k.principal: k for k in mission.keys()}
    for principal, key in keys.items():
        assert key.keyid == demo_signer(7, principal).keyid
    assert demo_signer(7, "monitor-01").keyid != demo_signer(8, "monitor-01").keyid
    # Every enrolled holder except the admin has its key file in the mission.
    for principal in set(keys) - {"mission-admin"}:
        assert (demo.directory / "keys" / f"{principal}.key").exists()


def test_evidence_files_are_stored_by_hash(demo: DemoResult, records: list[Any]) -> None:
    files = sorted((demo.directory / "evidence").iterdir())
    assert files
    for f in files:
        assert hashlib.sha256(f.read_bytes()).hexdigest() == f.name
    evidence = [p for kind, _, p in records if kind == "evidence"]
    assert {e["sha256"] for e in evidence} == {f.name for f in files}
    for e in evidence:
        assert e["size"] == (demo.directory / "evidence" / e["sha256"]).stat().st_size
    cited = {sha for kind, _, p in records if kind == "allegation" for sha in p["evidence"]}
    assert cited <= {f.name for f in files}
    assert cited


def test_allegations_from_both_parties(demo: DemoResult, records: list[Any]) -> None:
    allegations = [p for kind, _, p in records if kind == "allegation"]
    assert {a["party"] for a in allegations} == {"A", "B"}
    n = demo.notes
    total = ScenarioConfig().energy_allegations
    matched = n["energy_allegations_matched"]
    unmatched = n["energy_allegations_unmatched"]
    contradicted = n["energy_allegations_contradicted"]
    assert min(matched, unmatched, contradicted) > 0
    assert matched + unmatched + contradicted == total
    assert len(allegations) == total + contradicted
    assert demo.summary["by_type"]["allegation"] == len(allegations)


def test_the_correction_supersedes_an_observation(mission: Mission, records: list[Any]) -> None:
    corrections = [(rid, p) for kind, rid, p in records if kind == "correction"]
    assert len(corrections) == 1
    rid, correction = corrections[0]
    old = mission.store.get(correction["supersedes"])
    new = mission.store.get(correction["replacement"])
    assert old.kind == new.kind == "observation"
    assert old.keyid == new.keyid == mission.store.get(rid).keyid  # the author corrects
    assert correction["reason"]
    before, after = json.loads(old.payload), json.loads(new.payload)
    assert after["count"] == before["count"] + 1
    assert {k: v for k, v in after.items() if k not in ("count", "signed_at")} == {
        k: v for k, v in before.items() if k not in ("count", "signed_at")
    }
    assert mission.show(old.record_id).corrected_by == (rid,)
    assert mission.show(new.record_id).corrected_by == ()


def test_the_casework_cycle(demo: DemoResult, mission: Mission) -> None:
    work = demo.casework
    assert sorted(work.outcomes.values()) == ["confirmed", "not_confirmed", "unable_to_verify"]
    states = {
        r["record_id"]: r["state"] for r in mission.allegation_states(reader=Reader("analyst"))
    }
    for ref, state in work.outcomes.items():
        assert states[ref] == state
    finding = mission.history(work.finding)
    assert finding.finding is not None and finding.finding.status == "approved"
    assert (
        finding.finding.drafted_by == "analyst-01" and finding.finding.decided_by == "approver-01"
    )
    assert sorted(finding.finding.replies) == ["A", "B"]
    # A party reads what the other read; the mission reads thread metadata only.
    assert [a["party"] for a in mission.accesses(reader=Reader("party", "B"))] == ["A", "B"]
    threads = mission.threads(reader=Reader("analyst"))
    assert sorted(t["content"] for t in threads) == ["mission", "parties"]
    private = next(t for t in threads if t["content"] == "parties")
    view = mission.thread(private["thread"], Reader("analyst"))
    assert all(m["body"] is None for m in view["items"])
    first = view["items"][0]
    assert first["acknowledged_at"] is not None and first["answered_at"] is not None
    assert first["overdue"] is False
    assert mission.latest(mission.store.get(work.correction).subject or "") is not None


def test_the_reports_are_published_and_marked_synthetic(demo: DemoResult) -> None:
    paths = [p for p, _ in demo.reports]
    assert sorted(p.suffix for p in paths) == [".html", ".html", ".json", ".json", ".md", ".md"]
    for path, digest in demo.reports:
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert b"SYNTHETIC" in data or b'"synthetic": true' in data
