"""No sealed value and no monitor identity leaves the mission: not in any report
format, not in the export, not in the published log.

Every sealed value of the demo (the mission holds them apart from the log) is
searched for, as it would be written in JSON, in the bytes of every output."""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from pathlib import Path

import pytest

from truce.demo import DemoResult, run_demo
from truce.envelopes import Envelope
from truce.mission import Mission
from truce.publish.opendata import EXPORT_FORMATS, FINDING_FORMATS
from truce.reports import FORMATS, LogSnapshot, ReportSpec, open_data, render


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("leaks") / "m", days=3, observations_per_day=40)


@pytest.fixture(scope="module")
def secrets(demo: DemoResult) -> set[str]:
    """Every sealed value of the demo, as the text it would appear as."""
    found: set[str] = set()
    with Mission.open(demo.directory) as m:
        for stored in m.store.scan(kinds=["observation"]):
            for reveal in m.reveals(stored.record_id):
                text = json.dumps(reveal.value, ensure_ascii=False)
                found.add(text[1:-1] if isinstance(reveal.value, str) else text)
    assert len(found) >= 5  # the demo seals every monitor's call sign
    return found


def _assert_clean(name: str, data: bytes, secrets: set[str]) -> None:
    text = data.decode("utf-8", "replace")
    for value in secrets:
        assert value not in text, f"sealed value {value!r} in {name}"


def test_reports_in_every_format(demo: DemoResult, secrets: set[str]) -> None:
    published = sorted((demo.directory / "public" / "reports").iterdir())
    assert {p.suffix for p in published} == {".json", ".md", ".html"}
    for path in published:
        _assert_clean(path.name, path.read_bytes(), secrets)
        assert b"monitor-" not in path.read_bytes()  # no key principal of a monitor either
    with Mission.open(demo.directory) as m:
        data = m.build_report(ReportSpec("thematic", date(2025, 3, 20), days=3))
    for fmt in FORMATS:
        _assert_clean(f"report.{fmt}", render(data, fmt).encode("utf-8"), secrets)


def test_open_data_in_every_format(demo: DemoResult, secrets: set[str]) -> None:
    with Mission.open(demo.directory) as m:
        snapshot = m.snapshot()
        snapshot = LogSnapshot(
            snapshot.origin, snapshot.size, snapshot.root, list(snapshot.entries), snapshot.blob
        )
        for fmt in EXPORT_FORMATS:
            out = io.StringIO()
            losses = open_data(snapshot, fmt, out)
            assert losses.rows > 0
            _assert_clean(f"open data {fmt}", out.getvalue().encode("utf-8"), secrets)
            assert "monitor-" not in out.getvalue()
        for fmt in FINDING_FORMATS:
            out = io.StringIO()
            open_data(snapshot, fmt, out, findings=True)
            _assert_clean(f"findings {fmt}", out.getvalue().encode("utf-8"), secrets)


def test_the_export_and_the_published_log(demo: DemoResult, secrets: set[str]) -> None:
    with Mission.open(demo.directory) as m:
        out = io.StringIO()
        m.export(out)
        exported = out.getvalue()
        _assert_clean("export", exported.encode("utf-8"), secrets)
        assert '"team": "team-' in exported  # the search works: unsealed fields are found
        for i, entry in enumerate(m.store.entries(0, m.store.size())):
            _assert_clean(f"entry {i}", Envelope.from_json(entry).payload, secrets)
    for path in Path(demo.directory / "public" / "log").rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            _assert_clean(str(path), raw, secrets)
            for chunk in raw.split(b'"payload":"')[1:]:
                payload = base64.b64decode(chunk.split(b'"', 1)[0] + b"==")
                _assert_clean(f"{path} payload", payload, secrets)
