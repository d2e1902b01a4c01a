"""``truce verify``, ``truce log publish`` and ``truce log fsck`` on a published demo log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_commands import Truce, demo_dir, mission, truce
from tests.verify._logs import serve
from truce.cli._app import EXIT_CODES
from truce.errors import InconsistentLog, NotFound, ValidationError, VerificationError
from truce.mission import Mission

__all__ = ["demo_dir", "mission", "truce"]  # fixtures shared with test_commands

EXIT_VERIFY = dict(EXIT_CODES)[VerificationError]
EXIT_SPLIT_VIEW = dict(EXIT_CODES)[InconsistentLog]


@pytest.fixture
def public(demo_dir: Path) -> tuple[Path, Path]:
    return demo_dir / "public" / "log", demo_dir / "public" / "vkey"


def test_verify_saves_and_checks_since(
    truce: Truce, public: tuple[Path, Path], tmp_path: Path
) -> None:
    log, vkey = public
    seen = tmp_path / "seen"
    first = truce("verify", "--log", log, "--vkey", vkey, "--save", seen)
    assert first.rc == 0, first.err
    assert "signed by the log key; the published tiles reproduce its root" in first.out
    assert seen.read_bytes() == (log / "checkpoint").read_bytes()
    again = truce("verify", "--log", log, "--vkey", vkey.read_text().strip(), "--since", seen)
    assert again.rc == 0 and "0 entries appended, none changed" in again.out
    as_json = truce("verify", "--log", log, "--vkey", vkey, "--json").json()
    assert as_json["ok"] is True and as_json["origin"] == "truce/truce-demo"


def test_verify_names_a_rollback_with_both_checkpoints(
    truce: Truce, mission: Path, tmp_path: Path
) -> None:
    log, vkey = mission / "public" / "log", mission / "public" / "vkey"
    seen = tmp_path / "seen"
    assert truce("verify", "--log", log, "--vkey", vkey, "--save", seen).rc == 0
    # Serve an older checkpoint: the tiles still reproduce it, only memory catches it.
    with Mission.open(mission) as m:
        (log / "checkpoint").write_bytes(m.store.checkpoint(2)[2])
    r = truce("verify", "--log", log, "--vkey", vkey, "--since", seen)
    assert r.rc == EXIT_SPLIT_VIEW
    assert "rollback" in r.err
    assert "old_checkpoint" in r.err and "new_checkpoint" in r.err


def test_verify_over_http(truce: Truce, public: tuple[Path, Path]) -> None:
    log, vkey = public
    with serve(log) as url:
        r = truce("verify", "--log", url, "--vkey", vkey)
        assert r.rc == 0, r.err
        f = truce("log", "fsck", url, "--vkey", vkey)
        assert f.rc == 0, f.err


def test_verify_needs_log_and_vkey(truce: Truce, public: tuple[Path, Path], tmp_path: Path) -> None:
    log, vkey = public
    exit_validation = dict(EXIT_CODES)[ValidationError]
    assert truce("verify", "--vkey", vkey).rc == exit_validation
    assert truce("verify", "--log", log).rc == exit_validation
    r = truce("verify", "--log", tmp_path / "none", "--vkey", vkey)
    assert r.rc == dict(EXIT_CODES)[NotFound]
    other = tmp_path / "other.vkey"
    other.write_text("truce/someone-else+01234567+" + "A" * 43 + "=\n")
    bad = truce("verify", "--log", log, "--vkey", other)
    assert bad.rc in (exit_validation, EXIT_VERIFY)


def test_verify_record(
    truce: Truce, demo_dir: Path, public: tuple[Path, Path], tmp_path: Path
) -> None:
    log, vkey = public
    proof = tmp_path / "proof.json"
    proof.write_text(truce("--mission", demo_dir, "log", "prove", "#100").out)
    offline = truce("verify", "record", proof, "--vkey", vkey)
    assert offline.rc == 0, offline.err
    assert " is entry 100 of truce/truce-demo" in offline.out
    online = truce("verify", "record", proof, "--vkey", vkey, "--log", log)
    assert "holds the same entry" in online.out
    doc = json.loads(proof.read_text())
    doc["index"] = 101
    proof.write_text(json.dumps(doc))
    r = truce("verify", "record", proof, "--vkey", vkey)
    assert r.rc == EXIT_VERIFY and "entry 101: not included" in r.err


def test_log_publish_and_fsck(truce: Truce, mission: Path, tmp_path: Path) -> None:
    out = tmp_path / "www"
    r = truce("--mission", mission, "log", "publish", out)
    assert r.rc == 0, r.err
    assert "files written" in r.out and (out / "checkpoint").exists()
    assert len(list((out / "blob").iterdir())) == 3
    ok = truce("--mission", mission, "log", "fsck", out)  # the mission's own vkey
    assert ok.rc == 0, ok.err
    assert "every entry, signature, blob, tile and the signed root verify" in ok.out
    (bundle,) = (out / "tile" / "entries").glob("000.p/*")  # the small demo: one partial bundle
    pristine = bundle.read_bytes()
    data = bytearray(pristine)
    data[300] ^= 1
    bundle.write_bytes(bytes(data))
    bad = truce("--mission", mission, "log", "fsck", out)
    assert bad.rc == EXIT_VERIFY
    assert f"problem entries bundle 0 (tile/entries/000.p/{bundle.name})" in bad.out
    # --repair re-creates published files that have gone missing.
    bundle.unlink()
    (out / "tile" / "0" / f"000.p/{bundle.name}").unlink()
    assert truce("--mission", mission, "log", "publish", out, "--repair").rc == 0
    assert bundle.read_bytes() == pristine
    assert truce("--mission", mission, "log", "fsck", out).rc == 0


def test_log_integrate_once_and_periodically(truce: Truce, mission: Path) -> None:
    once = truce("--mission", mission, "log", "integrate")
    assert once.rc == 0 and once.out.count("checkpoint size") == 1
    assert f"published in {mission / 'public' / 'log'}" in once.out
    rounds = truce("--mission", mission, "log", "integrate", "--every", "0.1", "--times", "3")
    assert rounds.rc == 0 and rounds.out.count("checkpoint size") == 3
