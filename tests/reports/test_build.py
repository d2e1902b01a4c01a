"""Report data: a deterministic function of the signed log; rebuildable by anyone."""

from __future__ import annotations

import json
import shutil
from datetime import date, time
from pathlib import Path

import pytest

from truce.demo import DemoResult, run_demo
from truce.errors import ValidationError, VerificationError
from truce.keys import load_signer
from truce.mission import Mission
from truce.published import published_snapshot, read_vkey, rebuild_report
from truce.reports import FORMATS, ReportSpec, build_report, data_sha256, parameters, render

# The demo's scenario over 4 days: the agreement takes effect on 2025-03-18 (local).
DAY = date(2025, 3, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("reports") / "m", days=4, observations_per_day=30)


def _log(demo: DemoResult) -> tuple[str, str]:
    return str(demo.directory / "public" / "log"), read_vkey(
        str(demo.directory / "public" / "vkey")
    )


def test_the_same_checkpoint_gives_the_same_bytes(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    spec = ReportSpec("daily", DAY)
    first = build_report(published_snapshot(log, vkey), spec)
    again = build_report(published_snapshot(log, vkey), spec)
    assert data_sha256(first) == data_sha256(again)
    with Mission.open(demo.directory) as m:
        ours = m.build_report(spec)  # the mission's own store, the same checkpoint
    assert ours == first
    for fmt in FORMATS:
        assert render(first, fmt) == render(ours, fmt)
    assert first["checkpoint"]["size"] == demo.checkpoint.size
    assert first["synthetic"] is True


def test_the_content(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    data = build_report(published_snapshot(log, vkey), ReportSpec("daily", DAY))
    assert data["period"] == {
        "start": "2025-03-19T17:30:00Z",
        "end": "2025-03-20T17:30:00Z",
        "time_zone": "Europe/Kyiv",
        "label": "2025-03-19 19:30 – 2025-03-20 19:30 (Europe/Kyiv)",
    }
    counts = data["counts"]
    assert counts["total"] == sum(r["count"] for r in counts["by_category"]) > 0
    assert counts["total"] == sum(r["count"] for r in counts["by_region"])
    assert counts["previous_total"] == sum(r["previous"] for r in counts["by_category"])
    assert {r["party"] for r in data["allegations"]} <= {"A", "B"}
    for site in data["energy_sites"]:
        assert site["status"] in ("breach", "possible_breach") and site["list"]
    assert [d["date"] for d in data["coverage"]["days"]] == ["2025-03-19", "2025-03-20"]
    assert set(data["restrictions"]["by_kind"]) == {"denied", "conditional", "delayed"}
    assert any("SYNTHETIC" in line for line in data["summary"])


def test_a_rendered_report_states_how_to_rebuild_it(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    spec = ReportSpec("thematic", DAY, time(18, 0), days=3)
    data = build_report(published_snapshot(log, vkey), spec)
    for fmt in FORMATS:
        text = render(data, fmt)
        assert parameters(text) == (
            fmt,
            spec,
            data["checkpoint"]["size"],
            data["checkpoint"]["root"],
        )
        assert rebuild_report(text, log, vkey).sha256


def test_a_changed_report_or_a_wrong_checkpoint_is_caught(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    data = build_report(published_snapshot(log, vkey), ReportSpec("daily", DAY))
    html = render(data, "html")
    said = f"recorded {data['counts']['total']} events"
    assert said in html
    lie = html.replace(said, f"recorded {data['counts']['total'] - 1} events")
    with pytest.raises(VerificationError, match="differs from its rebuild"):
        rebuild_report(lie, log, vkey)
    forged = json.loads(render(data, "json"))
    forged["checkpoint"]["root"] = "A" * 43 + "="
    with pytest.raises(VerificationError, match="hash to"):
        rebuild_report(json.dumps(forged), log, vkey)
    with pytest.raises(ValidationError):
        rebuild_report("just some text", log, vkey)


def test_an_older_checkpoint_is_rebuilt_from_a_longer_log(demo: DemoResult, tmp_path: Path) -> None:
    log, vkey = _log(demo)
    data = build_report(published_snapshot(log, vkey), ReportSpec("daily", DAY))
    text = render(data, "md")
    copy = Path(shutil.copytree(demo.directory, tmp_path / "m"))
    with Mission.open(copy) as m:
        evidence = {
            "sha256": "ab" * 32, "media_type": "image/jpeg", "size": 10,
            "captured_at": "2025-03-20T10:00:00Z", "action": "captured",
            "holder": "team-01", "original": True,
        }  # fmt: skip
        m.submit_record(
            m.new_record("evidence", evidence), load_signer(copy / "keys" / "monitor-01.key")
        )
        grown = m.integrate()
    assert grown.size == data["checkpoint"]["size"] + 1
    found = rebuild_report(text, str(copy / "public" / "log"), vkey)
    assert found.size == data["checkpoint"]["size"]


def test_labels_in_ukrainian_and_russian(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    for language, heading in (("uk", "## Висновки"), ("ru", "## Выводы")):
        spec = ReportSpec("daily", DAY, language=language)
        text = render(build_report(published_snapshot(log, vkey), spec), "md")
        assert heading in text and "## Findings" not in text
        assert parameters(text)[1] == spec
        assert rebuild_report(text, log, vkey).sha256


def test_bad_specs() -> None:
    with pytest.raises(ValidationError) as exc:
        ReportSpec("daily", DAY, language="de")
    assert exc.value.field == "language"
    with pytest.raises(ValidationError) as exc:
        ReportSpec("weekly", DAY)
    assert exc.value.field == "kind"
    with pytest.raises(ValidationError) as exc:
        ReportSpec("daily", DAY, days=2)
    assert exc.value.field == "days"
    with pytest.raises(ValidationError) as exc:
        ReportSpec("thematic", DAY, days=0)
    assert exc.value.field == "days"


def test_no_agreement_in_force(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    with pytest.raises(ValidationError) as exc:
        build_report(published_snapshot(log, vkey), ReportSpec("daily", date(2024, 1, 1)))
    assert exc.value.field == "day"


def test_the_html_report_carries_its_map_and_chart(demo: DemoResult) -> None:
    log, vkey = _log(demo)
    data = build_report(published_snapshot(log, vkey), ReportSpec("daily", DAY))
    assert data.agreement is not None and data["map"]["events"]
    assert len(data["map"]["events"]) == data["counts"]["total"]
    html = render(data, "html")
    assert html.count("<svg") == 2 and "Events and protected sites" in html
    assert "<svg" not in render(data, "md")
    # The rebuild draws the same figures, byte for byte.
    assert rebuild_report(html, log, vkey).sha256
