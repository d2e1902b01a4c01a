"""The ``truce`` commands, run through :func:`truce.cli._app.run` (so exit codes are real)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

import tests.conftest as shared
from truce.cli import cli
from truce.cli._app import EXIT_CODES, run
from truce.demo import run_demo
from truce.envelopes import Envelope, canonical_json, sign_payload
from truce.errors import AuthError, Conflict, NotFound, ValidationError
from truce.keys import Signer, load_signer, verify_signature

ROOT = Path(__file__).resolve().parents[2]
V2 = ROOT / "truce" / "data" / "example-agreement-v2.yaml"
BAD_AGREEMENT = ROOT / "tests" / "agreement" / "bad" / "radius_zero.yaml"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STORED = re.compile(r"^stored (\w+) #(\d+) ([0-9a-f]{64})$", re.MULTILINE)

EXIT_VALIDATION = dict(EXIT_CODES)[ValidationError]
EXIT_AUTH = dict(EXIT_CODES)[AuthError]
EXIT_NOT_FOUND = dict(EXIT_CODES)[NotFound]
EXIT_CONFLICT = dict(EXIT_CODES)[Conflict]


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def stored(self) -> list[str]:
        """Record ids from the ``stored KIND #SEQ ID`` lines."""
        return [m.group(3) for m in _STORED.finditer(self.out)]


Truce = Callable[..., Result]


@pytest.fixture
def truce(capsys: pytest.CaptureFixture[str]) -> Truce:
    def call(*args: str | Path) -> Result:
        capsys.readouterr()
        rc = run([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(rc, _ANSI.sub("", out), _ANSI.sub("", err))

    return call


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small demo mission per module; tests that change it use ``mission``."""
    path = tmp_path_factory.mktemp("demo") / "m"
    run_demo(path, days=2, observations_per_day=20)
    return path


@pytest.fixture
def mission(demo_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the demo mission (key files keep their 0600 mode)."""
    return Path(shutil.copytree(demo_dir, tmp_path / "mission"))


def status(truce: Truce, directory: Path) -> dict[str, Any]:
    r = truce("--mission", directory, "status", "--json")
    assert r.rc == 0, r.err
    result: dict[str, Any] = r.json()
    return result


def keys_json(truce: Truce, directory: Path) -> dict[str, dict[str, Any]]:
    r = truce("--mission", directory, "keys", "list", "--json")
    assert r.rc == 0, r.err
    return {k["keyid"]: k for k in r.json()}


def observation(**over: Any) -> dict[str, Any]:
    """The shared example observation, as a file holds it (the CLI fills in the type)."""
    return {k: v for k, v in shared.observation(**over).items() if k != "type"}


def allegation(party: str, against: str) -> dict[str, Any]:
    return {k: v for k, v in shared.allegation(party, against).items() if k != "type"}


def write(path: Path, doc: Any) -> Path:
    if path.suffix in (".yaml", ".yml"):
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    else:
        path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def monitor_key(mission: Path) -> Path:
    return mission / "keys" / "monitor-01.key"


# -- init and status ---------------------------------------------------------------


def test_init_creates_a_mission_with_the_example_agreement(truce: Truce, tmp_path: Path) -> None:
    d = tmp_path / "My Mission"
    r = truce("init", d)
    assert r.rc == 0, r.err
    assert "created mission 'my-mission'" in r.out
    key = d / "keys" / "mission.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    s = status(truce, d)
    assert s["mission"] == "my-mission"
    assert s["records"] == 2
    assert s["by_type"] == {"agreement": 1, "key": 1}
    assert s["synthetic"] == 0
    assert s["active_keys_by_role"] == {"admin": 1}
    assert s["agreements"] == ["ua-energy-ceasefire@1"]
    # The admin key in the file is the one enrolled.
    (admin,) = keys_json(truce, d).values()
    assert admin["keyid"] == load_signer(key).keyid
    assert admin["role"] == "admin"


def test_init_with_another_agreement(truce: Truce, tmp_path: Path) -> None:
    d = tmp_path / "m2"
    r = truce("init", d, "--agreement", V2, "--id", "field-ops", "--name", "Field ops")
    assert r.rc == 0, r.err
    s = status(truce, d)
    assert s["mission"] == "field-ops"
    assert s["agreements"] == ["ua-energy-ceasefire@2"]


def test_init_refuses_a_non_empty_directory(truce: Truce, tmp_path: Path) -> None:
    d = tmp_path / "busy"
    d.mkdir()
    (d / "notes.txt").write_text("mine", encoding="utf-8")
    r = truce("init", d)
    assert r.rc == EXIT_VALIDATION
    assert "exists and is not empty" in r.err
    assert sorted(p.name for p in d.iterdir()) == ["notes.txt"]


def test_init_force_replaces_an_existing_mission(truce: Truce, tmp_path: Path) -> None:
    d = tmp_path / "m"
    assert truce("init", d).rc == 0
    old_admin = load_signer(d / "keys" / "mission.key").keyid
    assert truce("--mission", d, "keys", "new", "mon", "--role", "monitor").rc == 0
    assert status(truce, d)["records"] == 3

    again = truce("init", d)
    assert again.rc == EXIT_VALIDATION
    assert "already holds a mission" in again.err
    assert "--force" in again.err
    assert status(truce, d)["records"] == 3

    assert truce("init", d, "--force").rc == 0
    assert status(truce, d)["records"] == 2
    new_admin = load_signer(d / "keys" / "mission.key").keyid
    assert new_admin != old_admin
    assert list(keys_json(truce, d)) == [new_admin]
    assert not (d / "keys" / "mon.key").exists()


def test_init_rejects_a_bad_mission_id(truce: Truce, tmp_path: Path) -> None:
    r = truce("init", tmp_path / "m", "--id", "Bad ID!")
    assert r.rc == EXIT_VALIDATION
    assert "mission_id" in r.err
    assert not (tmp_path / "m").exists()


def test_status_text(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "status")
    assert r.rc == 0
    s = status(truce, demo_dir)
    assert f"synthetic records: {s['synthetic']}" in r.out
    assert "ua-energy-ceasefire@1, ua-energy-ceasefire@2" in r.out


# -- keys ------------------------------------------------------------------------------


def test_keys_new_monitor(truce: Truce, mission: Path) -> None:
    r = truce("--mission", mission, "keys", "new", "monitor-99", "--role", "monitor")
    assert r.rc == 0, r.err
    path = mission / "keys" / "monitor-99.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    signer = load_signer(path)
    assert signer.keyid in r.out
    k = keys_json(truce, mission)[signer.keyid]
    assert (k["principal"], k["role"], k["party"], k["status"]) == (
        "monitor-99",
        "monitor",
        None,
        "active",
    )
    assert base64.b64decode(k["public_key"]) == signer.public_key


def test_keys_new_party(truce: Truce, mission: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "a-legal.key"
    r = truce(
        "--mission",
        mission,
        "keys",
        "new",
        "a-legal",
        "--role",
        "party",
        "--party",
        "A",
        "--out",
        out,
    )
    assert r.rc == 0, r.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    k = keys_json(truce, mission)[load_signer(out).keyid]
    assert (k["role"], k["party"], k["status"]) == ("party", "A", "active")


def test_keys_new_refuses_an_existing_key_file(truce: Truce, mission: Path) -> None:
    before = status(truce, mission)
    r = truce("--mission", mission, "keys", "new", "monitor-01", "--role", "monitor")
    assert r.rc == EXIT_CONFLICT
    assert "already exists" in r.err
    assert status(truce, mission) == before


def test_revoked_key_cannot_record(truce: Truce, mission: Path, tmp_path: Path) -> None:
    key = monitor_key(mission)
    keyid = load_signer(key).keyid
    obs = write(tmp_path / "obs.yaml", observation())
    r = truce("--mission", mission, "keys", "revoke", keyid, "--reason", "device lost on patrol")
    assert r.rc == 0, r.err
    assert keys_json(truce, mission)[keyid]["status"] == "revoked"
    before = status(truce, mission)
    r = truce("--mission", mission, "record", "observation", "--file", obs, "--key", key)
    assert r.rc == EXIT_AUTH
    assert "revoked" in r.err
    assert status(truce, mission) == before
    # The revocation is itself a logged key record signed by the admin.
    shown = truce("--mission", mission, "show", f"#{before['records'] - 1}", "--json").json()
    assert shown["record"]["action"] == "revoke"
    assert shown["record"]["reason"] == "device lost on patrol"


def test_rotated_key_is_retired_and_its_successor_records(
    truce: Truce, mission: Path, tmp_path: Path
) -> None:
    key = monitor_key(mission)
    old = load_signer(key).keyid
    r = truce("--mission", mission, "keys", "rotate", old)
    assert r.rc == 0, r.err
    new_path = Path(r.out.rsplit("private key: ", 1)[1].strip())
    assert stat.S_IMODE(new_path.stat().st_mode) == 0o600
    new = load_signer(new_path).keyid
    keys = keys_json(truce, mission)
    assert keys[old]["status"] == "retired"
    assert keys[new]["status"] == "active"
    assert (keys[new]["principal"], keys[new]["role"]) == ("monitor-01", "monitor")

    obs = write(tmp_path / "obs.yaml", observation())
    before = status(truce, mission)["records"]
    refused = truce("--mission", mission, "record", "observation", "--file", obs, "--key", key)
    assert refused.rc == EXIT_AUTH
    ok = truce("--mission", mission, "record", "observation", "--file", obs, "--key", new_path)
    assert ok.rc == 0, ok.err
    assert status(truce, mission)["records"] == before + 1
    (rid,) = ok.stored()
    shown = truce("--mission", mission, "show", rid, "--json").json()
    assert shown["envelope"]["signatures"][0]["keyid"] == new


def test_keys_enrol(truce: Truce, mission: Path) -> None:
    device = Signer.generate("monitor-12")
    r = truce(
        "--mission",
        mission,
        "keys",
        "enrol",
        "monitor-12",
        "--role",
        "monitor",
        "--public-key",
        device.public_key_b64,
    )
    assert r.rc == 0, r.err
    assert keys_json(truce, mission)[device.keyid]["status"] == "active"


@pytest.mark.parametrize("public_key", ["not base64!", "AAAA"])
def test_keys_enrol_rejects_a_bad_public_key(truce: Truce, mission: Path, public_key: str) -> None:
    before = status(truce, mission)
    r = truce(
        "--mission", mission, "keys", "enrol", "x", "--role", "monitor", "--public-key", public_key
    )
    assert r.rc == EXIT_VALIDATION
    assert "ValidationError" in r.err
    assert status(truce, mission) == before


def test_keys_revoke_unknown_key(truce: Truce, mission: Path) -> None:
    r = truce("--mission", mission, "keys", "revoke", "0" * 32, "--reason", "x")
    assert r.rc == EXIT_NOT_FOUND


# -- record, sign, submit --------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_record_observation(truce: Truce, mission: Path, tmp_path: Path, suffix: str) -> None:
    obs = write(tmp_path / f"obs{suffix}", observation(count=7))
    before = status(truce, mission)
    r = truce(
        "--mission", mission, "record", "observation", "--file", obs, "--key", monitor_key(mission)
    )
    assert r.rc == 0, r.err
    (rid,) = r.stored()
    after = status(truce, mission)
    assert after["records"] == before["records"] + 1
    assert after["by_type"]["observation"] == before["by_type"]["observation"] + 1
    shown = truce("--mission", mission, "show", rid, "--json").json()
    assert shown["record"]["count"] == 7
    assert shown["record"]["mission"] == "truce-demo"
    assert shown["record"]["type"] == "observation"
    assert shown["synthetic"] is False
    assert shown["signer"] == {"principal": "monitor-01", "role": "monitor", "party": None}


def test_record_a_list_is_stored_together(truce: Truce, mission: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "two.yaml", [observation(count=3), observation(count=4)])
    before = status(truce, mission)["records"]
    r = truce(
        "--mission", mission, "record", "observation", "--file", f, "--key", monitor_key(mission)
    )
    assert r.rc == 0, r.err
    ids = r.stored()
    assert len(ids) == 2
    seqs = [int(m.group(2)) for m in _STORED.finditer(r.out)]
    assert seqs == [before, before + 1]
    counts = [
        truce("--mission", mission, "show", i, "--json").json()["record"]["count"] for i in ids
    ]
    assert counts == [3, 4]


def test_record_a_list_with_a_bad_second_record_stores_nothing(
    truce: Truce, mission: Path, tmp_path: Path
) -> None:
    bad = observation(
        count=4, location={"kind": "point", "lon": 37.8, "lat": 91, "uncertainty_m": 5}
    )
    f = write(tmp_path / "two.yaml", [observation(count=3), bad])
    before = status(truce, mission)
    r = truce(
        "--mission", mission, "record", "observation", "--file", f, "--key", monitor_key(mission)
    )
    assert r.rc == EXIT_VALIDATION
    assert "location.lat" in r.err
    assert status(truce, mission) == before


def test_record_error_names_the_record_in_the_file(
    truce: Truce, mission: Path, tmp_path: Path
) -> None:
    bad = observation(location={"kind": "point", "lon": 37.8, "lat": 91, "uncertainty_m": 5})
    f = write(tmp_path / "two.yaml", [observation(count=3), bad])
    r = truce(
        "--mission", mission, "record", "observation", "--file", f, "--key", monitor_key(mission)
    )
    assert r.rc == EXIT_VALIDATION
    assert "[1].payload.location.lat" in r.err


def test_record_out_of_range_latitude(truce: Truce, mission: Path, tmp_path: Path) -> None:
    bad = observation(location={"kind": "point", "lon": 37.8, "lat": 91, "uncertainty_m": 5})
    f = write(tmp_path / "obs.json", bad)
    before = status(truce, mission)
    r = truce(
        "--mission", mission, "record", "observation", "--file", f, "--key", monitor_key(mission)
    )
    assert r.rc == EXIT_VALIDATION
    assert "location.lat" in r.err
    assert "90" in r.err
    assert status(truce, mission) == before


def test_record_unparseable_file(truce: Truce, mission: Path, tmp_path: Path) -> None:
    f = tmp_path / "obs.json"
    f.write_text("{not json", encoding="utf-8")
    r = truce(
        "--mission", mission, "record", "observation", "--file", f, "--key", monitor_key(mission)
    )
    assert r.rc == EXIT_VALIDATION
    assert str(f) in r.err


def test_sign_then_submit(truce: Truce, mission: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "two.yaml", [observation(count=5), observation(count=6)])
    signed = truce(
        "--mission", mission, "sign", f, "--kind", "observation", "--key", monitor_key(mission)
    )
    assert signed.rc == 0, signed.err
    lines = signed.out.splitlines()
    assert len(lines) == 2
    expected = [Envelope.from_json(line).record_id for line in lines]
    env = tmp_path / "obs.env"
    env.write_text(signed.out, encoding="utf-8")
    before = status(truce, mission)

    check = truce("--mission", mission, "submit", "--check", env)
    assert check.rc == 0, check.err
    assert "2 envelope(s) valid; nothing stored" in check.out
    assert status(truce, mission) == before

    r = truce("--mission", mission, "submit", env)
    assert r.rc == 0, r.err
    assert r.stored() == expected
    middle = status(truce, mission)
    assert middle["records"] == before["records"] + 2

    again = truce("--mission", mission, "submit", env)
    assert again.rc == EXIT_CONFLICT
    assert expected[0] in again.err
    assert status(truce, mission) == middle


def test_sign_then_submit_a_sealed_record(truce: Truce, mission: Path, tmp_path: Path) -> None:
    doc = observation(observed_by={"source": "patrol", "monitor": "m-555"})
    doc["sealed"] = ["observed_by.monitor"]
    f = write(tmp_path / "sealed.yaml", doc)
    m = ("--mission", mission)
    signed = truce(*m, "sign", f, "--kind", "observation", "--key", monitor_key(mission))
    assert signed.rc == 0, signed.err
    line = json.loads(signed.out)
    envelope = Envelope.from_json(json.dumps(line["envelope"]).encode())
    assert b"m-555" not in envelope.payload  # the signed record holds the commitment only
    assert [r["path"] for r in line["reveals"]] == ["observed_by.monitor"]
    env = tmp_path / "sealed.env"
    env.write_text(signed.out, encoding="utf-8")
    assert truce(*m, "submit", "--check", env).rc == 0
    # Without its reveal the mission refuses it: it must hold the value.
    bare = tmp_path / "bare.env"
    bare.write_text(json.dumps(line["envelope"]) + "\n", encoding="utf-8")
    r = truce(*m, "submit", bare)
    assert r.rc != 0 and "reveals['observed_by.monitor']" in r.err
    r = truce(*m, "submit", env)
    assert r.rc == 0, r.err and r.stored() == [envelope.record_id]
    shown = truce(*m, "show", envelope.record_id, "--json").json()
    assert "observed_by.monitor" in shown["record"]["sealed"]
    assert "m-555" not in json.dumps(shown)


def test_submit_tampered_payload(truce: Truce, mission: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "obs.yaml", observation())
    signed = truce(
        "--mission", mission, "sign", f, "--kind", "observation", "--key", monitor_key(mission)
    )
    doc = json.loads(signed.out)
    payload = doc["payload"]
    i = len(payload) // 2
    doc["payload"] = payload[:i] + ("B" if payload[i] != "B" else "C") + payload[i + 1 :]
    env = tmp_path / "tampered.env"
    env.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    before = status(truce, mission)
    for args in (("submit", "--check", env), ("submit", env)):
        r = truce("--mission", mission, *args)
        assert r.rc == EXIT_AUTH, r.err
        assert "does not verify" in r.err
    assert status(truce, mission) == before


def test_submit_batch_with_a_bad_second_envelope(
    truce: Truce, mission: Path, tmp_path: Path
) -> None:
    """A device signs offline without validating: the gate names the envelope and field."""
    signer = load_signer(monitor_key(mission))

    def envelope(body: dict[str, Any]) -> str:
        record = {**body, "type": "observation", "mission": "truce-demo"}
        return sign_payload(canonical_json(record), signer).to_json().decode()

    bad = observation(location={"kind": "point", "lon": 37.8, "lat": 91, "uncertainty_m": 5})
    env = tmp_path / "batch.env"
    env.write_text(envelope(observation()) + "\n" + envelope(bad) + "\n", encoding="utf-8")
    before = status(truce, mission)
    r = truce("--mission", mission, "submit", env)
    assert r.rc == EXIT_VALIDATION
    assert "[1].payload.location.lat" in r.err
    assert status(truce, mission) == before

    env.write_text(envelope(bad) + "\n", encoding="utf-8")
    single = truce("--mission", mission, "submit", env)
    assert single.rc == EXIT_VALIDATION
    assert "payload.location.lat" in single.err


def test_party_files_only_for_itself(truce: Truce, mission: Path, tmp_path: Path) -> None:
    key = mission / "keys" / "party-a-office.key"
    before = status(truce, mission)
    forged = write(tmp_path / "forged.yaml", allegation("B", "A"))
    r = truce("--mission", mission, "record", "allegation", "--file", forged, "--key", key)
    assert r.rc == EXIT_AUTH
    assert status(truce, mission) == before
    own = write(tmp_path / "own.yaml", allegation("A", "B"))
    ok = truce("--mission", mission, "record", "allegation", "--file", own, "--key", key)
    assert ok.rc == 0, ok.err
    assert status(truce, mission)["records"] == before["records"] + 1


def test_monitor_may_not_file_an_allegation(truce: Truce, mission: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "a.yaml", allegation("A", "B"))
    before = status(truce, mission)
    r = truce(
        "--mission", mission, "record", "allegation", "--file", f, "--key", monitor_key(mission)
    )
    assert r.rc == EXIT_AUTH
    assert status(truce, mission) == before


def test_record_with_a_missing_key_file(truce: Truce, mission: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "obs.yaml", observation())
    r = truce(
        "--mission", mission, "record", "observation", "--file", f, "--key", tmp_path / "nope.key"
    )
    assert r.rc == EXIT_NOT_FOUND


def test_record_and_sign_with_a_missing_record_file(
    truce: Truce, mission: Path, tmp_path: Path
) -> None:
    key = mission / "keys" / "monitor-01.key"
    before = status(truce, mission)
    missing = tmp_path / "missing.yaml"
    m = ("--mission", mission)
    for r in (
        truce(*m, "record", "observation", "--file", missing, "--key", key),
        truce(*m, "sign", missing, "--kind", "observation", "--key", key),
    ):
        assert r.rc != 0 and "Traceback" not in r.err, r.err
        assert "cannot read" in r.err and "missing.yaml" in r.err
    assert status(truce, mission) == before


# -- list and show -------------------------------------------------------------------------


def test_list_json(truce: Truce, demo_dir: Path) -> None:
    total = status(truce, demo_dir)["records"]
    r = truce("--mission", demo_dir, "list", "--limit", "0", "--json")
    assert r.rc == 0
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert len(rows) == total
    assert [row["seq"] for row in rows] == list(range(total))
    assert all("synthetic" in row for row in rows)
    assert {row["synthetic"] for row in rows} == {True, False}
    assert rows[0]["kind"] == "key"


def test_list_filters(truce: Truce, demo_dir: Path) -> None:
    s = status(truce, demo_dir)
    r = truce("--mission", demo_dir, "list", "--type", "allegation", "--limit", "0", "--json")
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert len(rows) == s["by_type"]["allegation"]
    assert {row["kind"] for row in rows} == {"allegation"}
    assert {row["signer"]["party"] for row in rows} == {"A", "B"}

    r = truce(
        "--mission",
        demo_dir,
        "list",
        "--type",
        "key",
        "--type",
        "agreement",
        "--json",
        "--limit",
        "0",
    )
    kinds = [json.loads(line)["kind"] for line in r.out.splitlines()]
    assert len(kinds) == s["by_type"]["key"] + s["by_type"]["agreement"]

    r = truce("--mission", demo_dir, "list", "--limit", "5", "--json")
    assert [json.loads(line)["seq"] for line in r.out.splitlines()] == [0, 1, 2, 3, 4]

    r = truce("--mission", demo_dir, "list", "--latest", "--limit", "3", "--json")
    last = s["records"] - 1
    assert [json.loads(line)["seq"] for line in r.out.splitlines()] == [last, last - 1, last - 2]

    r = truce("--mission", demo_dir, "list", "--since", str(last), "--json")
    assert [json.loads(line)["seq"] for line in r.out.splitlines()] == [last]


def test_list_table(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "list", "--type", "observation", "--limit", "0")
    assert r.rc == 0
    assert "observation" in r.out
    assert "(corrected)" in r.out


def test_show_by_seq_id_and_prefix(truce: Truce, demo_dir: Path) -> None:
    by_seq = truce("--mission", demo_dir, "show", "#3", "--json")
    assert by_seq.rc == 0, by_seq.err
    view = by_seq.json()
    assert view["seq"] == 3
    rid = view["record_id"]
    assert truce("--mission", demo_dir, "show", rid, "--json").json() == view
    assert truce("--mission", demo_dir, "show", rid[:10], "--json").json() == view
    # The view round-trips to the signed bytes: payload decodes to the record, hashes to the id.
    payload = base64.b64decode(view["envelope"]["payload"])
    assert json.loads(payload) == view["record"]
    assert hashlib.sha256(payload).hexdigest() == rid

    text = truce("--mission", demo_dir, "show", "#3")
    assert text.rc == 0
    assert f"{view['kind']} #3 {rid}" in text.out
    assert f"signed by {view['signer']['principal']}" in text.out


def test_show_synthetic_record_says_so(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "list", "--type", "observation", "--limit", "1", "--json")
    rid = json.loads(r.out)["record_id"]
    shown = truce("--mission", demo_dir, "show", rid)
    assert "SYNTHETIC" in shown.out


@pytest.mark.parametrize("ref", ["#99999", "99999", "ffffff00", "f" * 64])
def test_show_unknown_record(truce: Truce, demo_dir: Path, ref: str) -> None:
    r = truce("--mission", demo_dir, "show", ref)
    assert r.rc == EXIT_NOT_FOUND
    assert "NotFound" in r.err


def test_show_malformed_reference(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "show", "zzzz")
    assert r.rc == EXIT_VALIDATION


def test_corrected_record_shows_its_correction(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "list", "--type", "correction", "--json")
    (line,) = r.out.splitlines()
    correction = json.loads(line)
    old = correction["record"]["supersedes"]
    shown = truce("--mission", demo_dir, "show", old, "--json").json()
    assert shown["corrected_by"] == [correction["record_id"]]
    text = truce("--mission", demo_dir, "show", old)
    assert f"corrected by {correction['record_id']}" in text.out
    replacement = truce(
        "--mission", demo_dir, "show", correction["record"]["replacement"], "--json"
    ).json()
    assert replacement["corrected_by"] == []
    assert replacement["kind"] == "observation"


# -- export -------------------------------------------------------------------------------------


def test_export_verifies(truce: Truce, demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    r = truce("--mission", demo_dir, "export", "--out", out)
    assert r.rc == 0, r.err
    total = status(truce, demo_dir)["records"]
    assert f"wrote {total} records" in r.err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == total
    keys = {k: base64.b64decode(v["public_key"]) for k, v in keys_json(truce, demo_dir).items()}
    for i, line in enumerate(lines):
        row = json.loads(line)
        assert row["seq"] == i
        env = Envelope.from_dict(row["envelope"])
        assert hashlib.sha256(env.payload).hexdigest() == row["record_id"]
        assert json.loads(env.payload) == row["record"]
        assert row["kind"] == row["record"]["type"]
        for sig in env.signatures:
            assert verify_signature(keys[sig.keyid], env.signed_bytes(), sig.sig), i
    # The check has teeth: one flipped payload byte no longer verifies.
    env = Envelope.from_dict(json.loads(lines[-1])["envelope"])
    sig = env.signatures[0]
    tampered = Envelope(env.payload_type, env.payload[:-1] + b" ", env.signatures)
    assert not verify_signature(keys[sig.keyid], tampered.signed_bytes(), sig.sig)


def test_export_to_stdout_and_by_type(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "export", "--type", "correspondence")
    assert r.rc == 0
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert len(rows) == status(truce, demo_dir)["by_type"]["correspondence"]
    assert {row["kind"] for row in rows} == {"correspondence"}


# -- agreements ----------------------------------------------------------------------------------


def test_agreement_list(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "agreement", "list")
    assert r.rc == 0
    assert "#1" in r.out


def test_agreement_diff(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "agreement", "diff", "1", "2")
    assert r.rc == 0, r.err
    assert "terms[moratorium.energy].radius_km: 5 -> 10" in r.out
    assert "site list energy-B" in r.out
    same = truce("--mission", demo_dir, "agreement", "diff", "2", "2")
    assert same.rc == 0
    assert same.out.splitlines() == ["ua-energy-ceasefire: version 2 -> 2", "no differences"]
    js = truce("--mission", demo_dir, "agreement", "diff", "1", "2", "--json")
    assert js.rc == 0
    assert isinstance(js.json(), list)
    assert js.json()


def test_agreement_show(truce: Truce, demo_dir: Path) -> None:
    doc = truce("--mission", demo_dir, "agreement", "show", "--json").json()
    assert doc["id"] == "ua-energy-ceasefire"
    assert doc["version"] == 2
    v1 = truce("--mission", demo_dir, "agreement", "show", "1", "--json").json()
    assert v1["version"] == 1
    radius = {t["id"]: t.get("radius_km") for t in doc["terms"]}
    assert radius["moratorium.energy"] == 10
    assert {t["id"]: t.get("radius_km") for t in v1["terms"]}["moratorium.energy"] == 5
    # The JSON is the document stored in the agreement record, with each
    # layer's geography resolved from the blob the record references.
    rows = truce("--mission", demo_dir, "list", "--type", "agreement", "--json").out.splitlines()
    stored = {json.loads(x)["record"]["version"]: json.loads(x)["record"] for x in rows}
    kept = stored[2]["document"]
    assert {k: v for k, v in kept.items() if k != "geography"} == {
        k: v for k, v in doc.items() if k != "geography"
    }
    for kind, layers in doc["geography"].items():
        for shown, ref in zip(layers, kept["geography"][kind], strict=True):
            blob = canonical_json(shown["source"]["inline"])
            assert ref["source"] == {
                "blob": {"sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob)}
            }
            assert {k: v for k, v in ref.items() if k != "source"} == {
                k: v for k, v in shown.items() if k != "source"
            }
    text = truce("--mission", demo_dir, "agreement", "show", "1")
    assert text.rc == 0
    assert "moratorium.energy" in text.out
    assert "A = Party A" in text.out


def test_agreement_show_unknown_version(truce: Truce, demo_dir: Path) -> None:
    r = truce("--mission", demo_dir, "agreement", "show", "9")
    assert r.rc == EXIT_NOT_FOUND


def test_agreement_versions_are_immutable(truce: Truce, mission: Path) -> None:
    before = status(truce, mission)
    r = truce("--mission", mission, "agreement", "load", V2)
    assert r.rc == EXIT_CONFLICT
    assert "immutable" in r.err
    assert status(truce, mission) == before


def test_agreement_load_bad_file(truce: Truce, mission: Path) -> None:
    before = status(truce, mission)
    r = truce("--mission", mission, "agreement", "load", BAD_AGREEMENT)
    assert r.rc == EXIT_VALIDATION
    assert str(BAD_AGREEMENT) in r.err
    assert "terms[1].radius_km" in r.err
    assert status(truce, mission) == before


def test_agreement_load_new_version(truce: Truce, tmp_path: Path) -> None:
    d = tmp_path / "m"
    assert truce("init", d).rc == 0
    r = truce("--mission", d, "agreement", "load", V2)
    assert r.rc == 0, r.err
    assert "version 2" in r.out
    assert status(truce, d)["agreements"] == ["ua-energy-ceasefire@1", "ua-energy-ceasefire@2"]


def test_demo_command(truce: Truce, tmp_path: Path) -> None:
    d = tmp_path / "demo"
    r = truce("demo", "--dir", d, "--days", "1", "--seed", "3")
    assert r.rc == 0, r.err
    assert "SYNTHETIC" in r.out
    assert f"truce --mission {d} list" in r.out
    s = status(truce, d)
    assert s["synthetic"] > 0
    assert s["agreements"] == ["ua-energy-ceasefire@1", "ua-energy-ceasefire@2"]
    again = truce("demo", "--dir", d, "--days", "1")
    assert again.rc == EXIT_VALIDATION
    assert "--force" in again.err
    assert status(truce, d) == s
    assert truce("demo", "--dir", d, "--days", "0").rc == 2  # out of range


# -- mission resolution -------------------------------------------------------------------------


def test_mission_from_environment(
    truce: Truce, demo_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRUCE_MISSION", str(demo_dir))
    r = truce("status", "--json")
    assert r.rc == 0, r.err
    assert r.json()["mission"] == "truce-demo"


def test_mission_option_beats_environment(
    truce: Truce, demo_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    assert truce("init", other).rc == 0
    monkeypatch.setenv("TRUCE_MISSION", str(demo_dir))
    assert truce("--mission", other, "status", "--json").json()["mission"] == "other"


def test_mission_from_current_directory(
    truce: Truce, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUCE_MISSION", raising=False)
    monkeypatch.chdir(demo_dir)
    r = truce("status", "--json")
    assert r.rc == 0, r.err
    assert r.json()["mission"] == "truce-demo"


def test_no_mission(truce: Truce, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TRUCE_MISSION", raising=False)
    monkeypatch.chdir(tmp_path)
    r = truce("list")
    assert r.rc == EXIT_NOT_FOUND
    assert "truce init" in r.err
    assert "--mission" in r.err
    assert list(tmp_path.iterdir()) == []  # looking for a mission creates nothing


# -- help -------------------------------------------------------------------------------------


def _command_paths(cmd: click.Command, path: list[str]) -> list[list[str]]:
    out = [path]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            out.extend(_command_paths(cmd.commands[name], [*path, name]))
    return out


def test_every_command_has_help(truce: Truce) -> None:
    paths = _command_paths(cli, [])
    assert ["keys", "rotate"] in paths
    assert ["agreement", "diff"] in paths
    for path in paths:
        for flag in ("--help", "-h"):
            r = truce(*path, flag)
            assert r.rc == 0, (path, r.err)
            assert "Usage: truce" in r.out
            assert "Example:" in r.out, path


def test_usage_errors_exit_2(truce: Truce) -> None:
    r = truce("keys", "new", "x")  # --role is required
    assert r.rc == 2
    assert "--role" in r.err
    assert truce("no-such-command").rc == 2


def test_version(truce: Truce) -> None:
    r = truce("--version")
    assert r.rc == 0
    assert r.out.startswith("truce, version ")
