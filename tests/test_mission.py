"""The Mission facade: creating, opening, listing, showing and exporting."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.conftest import NOW, Actors, observation
from truce.envelopes import Envelope
from truce.errors import NotFound, ValidationError
from truce.keys import load_signer, verify_signature
from truce.mission import Mission, MissionSettings, example_agreement_path


def test_create_writes_settings_key_and_first_records(tmp_path: Path) -> None:
    m = Mission.create(tmp_path / "My Mission", clock=lambda: NOW)
    with m:
        assert m.settings.id == "my-mission"
        key = tmp_path / "My Mission" / "keys" / "mission.key"
        assert key.stat().st_mode & 0o777 == 0o600
        assert load_signer(key).keyid == m.keys()[0].keyid
        first, second = m.store.get_seq(0), m.store.get_seq(1)
        assert (first.kind, second.kind) == ("key", "agreement")
        assert m.agreement().id == "ua-energy-ceasefire"
        assert m.summary()["agreements"] == ["ua-energy-ceasefire@1"]


def test_create_refuses_an_existing_mission_and_non_empty_dirs(tmp_path: Path) -> None:
    Mission.create(tmp_path / "m").close()
    with pytest.raises(ValidationError, match="already holds a mission"):
        Mission.create(tmp_path / "m")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    with pytest.raises(ValidationError, match="not empty"):
        Mission.create(tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValidationError, match="not empty"):
        Mission.create(tmp_path / "other", force=True)
    replaced = Mission.create(tmp_path / "m", force=True)
    with replaced:
        assert replaced.store.size() == 2
    (tmp_path / "m" / "thesis.docx").write_text("not ours")
    with pytest.raises(ValidationError, match="not part of a mission"):
        Mission.create(tmp_path / "m", force=True)
    assert (tmp_path / "m" / "thesis.docx").exists()


def test_failed_create_leaves_nothing_behind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: truce-agreement/1\nid: x\n")
    with pytest.raises(ValidationError):
        Mission.create(tmp_path / "m", agreement=bad)
    assert not (tmp_path / "m").exists()
    with pytest.raises(ValidationError, match="mission_id"):
        Mission.create(tmp_path / "n", mission_id="Bad Id")
    assert not (tmp_path / "n").exists()


def test_open_checks_settings_against_the_store(tmp_path: Path) -> None:
    Mission.create(tmp_path / "m", mission_id="alpha").close()
    settings = MissionSettings.read(tmp_path / "m")
    edited = settings.to_toml().replace('"alpha"', '"beta"')
    (tmp_path / "m" / "truce.toml").write_text(edited)
    with pytest.raises(ValidationError, match="store holds 'alpha'"):
        Mission.open(tmp_path / "m")
    with pytest.raises(NotFound, match="mission"):
        Mission.open(tmp_path / "nowhere")


def test_settings_round_trip(tmp_path: Path) -> None:
    s = MissionSettings(
        id="m-1", name='Mission "East" — Ä', store="sqlite:///truce.db", admin_key="k"
    )
    (tmp_path / "truce.toml").write_text(s.to_toml())
    assert MissionSettings.read(tmp_path) == s


def test_records_show_and_corrections(mission: Mission, actors: Actors) -> None:
    (a,) = mission.submit(
        [mission.sign(mission.new_record("observation", observation()), actors.monitor)]
    )
    fixed = mission.submit_record(
        mission.new_record("observation", observation(count=5)), actors.monitor
    )
    mission.submit_record(
        mission.new_record(
            "correction",
            {
                "supersedes": a.record_id,
                "replacement": fixed.record_id,
                "reason": "recount",
                "signed_at": "2025-03-20T07:00:00Z",
            },
        ),
        actors.monitor,
    )
    view = mission.show(a.record_id[:10])
    assert view.signer == "monitor-01"
    assert view.role == "monitor"
    assert view.corrected_by and mission.show(view.corrected_by[0]).kind == "correction"
    assert mission.show(f"#{a.seq}").record_id == a.record_id
    listed = list(mission.records(kinds=["observation"]))
    assert [v.record_id for v in listed] == [a.record_id, fixed.record_id]
    assert [v.corrected for v in listed] == [True, False]
    newest = next(mission.records(limit=1, descending=True))
    assert newest.kind == "correction"


def test_export_lines_verify_on_their_own(mission: Mission, actors: Actors) -> None:
    mission.submit_record(mission.new_record("observation", observation()), actors.monitor)
    out = io.StringIO()
    n = mission.export(out)
    lines = out.getvalue().splitlines()
    assert n == len(lines) == mission.store.size()
    keys = {k.keyid: k.public_key for k in mission.keys()}
    for line in lines:
        doc = json.loads(line)
        env = Envelope.from_dict(doc["envelope"])
        assert env.record_id == doc["record_id"]
        sig = env.signatures[0]
        assert verify_signature(keys[sig.keyid], env.signed_bytes(), sig.sig)
        assert json.loads(env.payload) == doc["record"]


def test_new_key_is_removed_when_enrolment_fails(mission: Mission, actors: Actors) -> None:
    path = mission.directory / "keys" / "x.key"
    with pytest.raises(ValidationError):
        mission.new_key("x", role="party", party="not a party id", out=path)
    assert not path.exists()


def test_sign_normalises_and_validates(mission: Mission, actors: Actors) -> None:
    rec = mission.new_record("observation", observation(time={"at": "2025-03-20T06:15:00+02:00"}))
    env = mission.sign(rec, actors.monitor)
    payload = json.loads(env.payload)
    assert payload["time"] == {"at": "2025-03-20T04:15:00Z", "precision": "minute"}
    with pytest.raises(ValidationError):
        mission.sign(
            mission.new_record("observation", observation(category="bombing")), actors.monitor
        )


def test_agreement_diff_between_versions(mission: Mission) -> None:
    mission.load_agreement(example_agreement_path().with_name("example-agreement-v2.yaml"))
    d = mission.agreement_diff(1, 2)
    paths = {c.path for c in d.changes}
    assert "terms[moratorium.energy].radius_km" in paths
    assert any(line.startswith("site list energy-B") for line in d.summary_lines())
    assert [v.version for v in mission.agreement_versions()] == [1, 2]


def test_integration_publishes_into_publish_dir(mission: Mission, actors: Actors) -> None:
    public = mission.directory / "public" / "log"
    assert mission.settings.publish_dir == "public/log"
    assert (public / "checkpoint").read_bytes() == mission.checkpoint().note  # at create
    blobs = {sha for sha, _ in mission.store.blob_index()}
    assert blobs and {p.name for p in (public / "blob").iterdir()} == blobs
    before = (public / "checkpoint").read_bytes()
    mission.submit_record(mission.new_record("observation", observation()), actors.monitor)
    head = mission.integrate()
    assert head.note != before
    assert (public / "checkpoint").read_bytes() == head.note
    report = mission.publish(mission.directory / "elsewhere")
    assert report.size == mission.store.size()
    assert (mission.directory / "elsewhere" / "checkpoint").exists()


def test_publish_dir_can_be_turned_off(tmp_path: Path) -> None:
    Mission.create(tmp_path / "m").close()
    settings = (tmp_path / "m" / "truce.toml").read_text()
    (tmp_path / "m" / "truce.toml").write_text(
        settings.replace('publish_dir = "public/log"', 'publish_dir = ""')
    )
    with Mission.open(tmp_path / "m") as m:
        assert m.settings.publish_dir == ""
        with pytest.raises(ValidationError) as info:
            m.publish()
        assert info.value.field == "publish_dir"
        (tmp_path / "m" / "public" / "log" / "checkpoint").unlink()
        m.integrate()
        assert not (tmp_path / "m" / "public" / "log" / "checkpoint").exists()
    # Settings written before the setting existed get the default.
    older = "\n".join(line for line in settings.splitlines() if "publish_dir" not in line)
    (tmp_path / "m" / "truce.toml").write_text(older + "\n")
    assert MissionSettings.read(tmp_path / "m").publish_dir == "public/log"
