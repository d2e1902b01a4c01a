"""`truce report build` and `truce verify report` through the command line."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_commands import Truce, demo_dir, mission, truce

__all__ = ["demo_dir", "mission", "truce"]  # fixtures

EXIT_VERIFICATION = 7


def test_build_then_verify_each_format(truce: Truce, mission: Path, tmp_path: Path) -> None:
    log, vkey = mission / "public" / "log", mission / "public" / "vkey"
    for fmt in ("html", "md", "json"):
        out = tmp_path / f"day.{fmt}"
        r = truce(
            "--mission", mission, "report", "build", "--day", "2025-03-19", "--format", fmt,
            "--out", out,
        )  # fmt: skip
        assert r.rc == 0, r.err
        assert "sha256" in r.out and out.exists()
        ok = truce("verify", "report", out, "--log", log, "--vkey", vkey)
        assert ok.rc == 0, ok.err
        assert "identical" in ok.out
    # A party builds the same report from the published files alone.
    theirs = truce(
        "report", "build", "--day", "2025-03-19", "--format", "md", "--log", log, "--vkey", vkey
    )
    assert theirs.rc == 0 and theirs.out == (tmp_path / "day.md").read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.md"
    tampered.write_text(theirs.out.replace("Daily report", "Daily  report"), encoding="utf-8")
    r = truce("verify", "report", tampered, "--log", log, "--vkey", vkey)
    assert r.rc == EXIT_VERIFICATION and "differs" in r.err


def test_bad_arguments(truce: Truce, mission: Path) -> None:
    m = ("--mission", mission, "report", "build")
    r = truce(*m, "--day", "19 March")
    assert r.rc != 0 and "--day" in r.err and "YYYY-MM-DD" in r.err
    r = truce(*m, "--day", "2025-03-19", "--cutoff", "7pm")
    assert r.rc != 0 and "--cutoff" in r.err
    r = truce(*m, "--day", "2025-03-19", "--log", "somewhere")
    assert r.rc == 2 and "--vkey" in r.err


def test_open_data_exports(truce: Truce, mission: Path, tmp_path: Path) -> None:
    log, vkey = mission / "public" / "log", mission / "public" / "vkey"
    ours = tmp_path / "events.csv"
    r = truce("--mission", mission, "report", "export", "--format", "acled", "--out", ours)
    assert r.rc == 0, r.err
    assert "rows to" in r.out and "actor1" in r.out  # the loss report names what did not map
    assert ours.read_text(encoding="utf-8").startswith("event_id_cnty,event_date,")
    theirs = tmp_path / "theirs.csv"
    r = truce(
        "report", "export", "--format", "acled", "--out", theirs, "--log", log, "--vkey", vkey
    )
    assert r.rc == 0, r.err
    assert theirs.read_bytes() == ours.read_bytes()  # anyone gets the same file
    r = truce("--mission", mission, "report", "export", "--findings", "--format", "ucdp",
              "--out", tmp_path / "f.csv")  # fmt: skip
    assert r.rc == 2 and "--findings" in r.err
    assert not (tmp_path / "f.csv").exists() and not list(tmp_path.glob("*.partial"))
