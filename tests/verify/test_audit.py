"""fsck on clean logs: every tile and the root re-derived, entry checks, bundle parsing.

The tamper cases (fsck and LogClient on altered logs) are in test_tamper.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.verify._logs import ORIGIN, OTHER_SIGNER, SIGNER, build_log, random_entries, serve
from truce.ledger import EMPTY_ROOT, leaf_hash
from truce.ledger.checkpoint import Checkpoint, sign_checkpoint
from truce.ledger.tiles import entry_bundles_for_size, tiles_for_size
from truce.publish.tlog import encode_bundle
from truce.verify import (
    FetchError,
    Problem,
    VerificationFailed,
    directory_fetcher,
    fsck,
    http_fetcher,
)
from truce.verify._tiles import hash_bundle, parse_bundle, subtree_hash


@pytest.mark.parametrize("n", [0, 1, 255, 256, 257, 70000])
def test_clean_log_verifies(tmp_path: Path, n: int) -> None:
    log = build_log(n, seed=n)
    log.publish(tmp_path)
    seen: list[int] = []

    def check(index: int, entry: bytes) -> None:
        assert entry == log.entries[index]
        seen.append(index)

    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], entry_check=check)
    assert report.ok, report.problems
    assert report.problems == () and report.problem_count == 0
    assert report.size == n and report.entries == n
    assert report.root_hash == report.computed_root == (log.tree.root() if n else EMPTY_ROOT)
    assert report.tiles == len(list(tiles_for_size(n)))
    assert report.bundles == len(list(entry_bundles_for_size(n)))
    assert seen == list(range(n))
    report.raise_for_problems()  # nothing to raise


def test_entry_check_failures_are_named(tmp_path: Path) -> None:
    log = build_log(600)
    log.publish(tmp_path)

    def check(index: int, entry: bytes) -> None:
        if index in (3, 599):
            raise ValueError("envelope signature does not verify")

    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], entry_check=check)
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "entry 3: ValueError: envelope signature does not verify",
        "entry 599: ValueError: envelope signature does not verify",
    ]
    with pytest.raises(VerificationFailed, match=r"entry 3: .* \(and 1 more problem\)"):
        report.raise_for_problems()


def test_since_a_consistent_checkpoint(tmp_path: Path) -> None:
    log = build_log(70000)
    for m in (0, 1, 256, 300, 65536, 70000):
        log.sign(m)
    log.publish(tmp_path)
    for m in (0, 1, 256, 300, 65536, 70000):
        report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], since=log.notes[m])
        assert report.ok, (m, report.problems)
    trusted = Checkpoint(ORIGIN, 1000, log.tree.root(1000))
    assert fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], since=trusted).ok


def test_unverifiable_remembered_checkpoint(tmp_path: Path) -> None:
    log = build_log(10)
    log.publish(tmp_path)
    log.signer = OTHER_SIGNER
    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], since=log.sign(5))
    assert [p.what for p in report.problems] == ["remembered checkpoint"]


def test_missing_or_unfetchable_checkpoint(tmp_path: Path) -> None:
    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey])
    assert report.problems == (Problem("checkpoint", "missing"),)
    assert report.computed_root is None

    def down(path: str) -> bytes:
        raise FetchError(path, "network down")

    report = fsck(down, ORIGIN, [SIGNER.vkey])
    assert str(report.problems[0]) == "checkpoint: cannot fetch: network down"


def test_unfetchable_tiles_are_problems_not_exceptions(tmp_path: Path) -> None:
    log = build_log(600)
    log.publish(tmp_path)
    files = directory_fetcher(tmp_path)

    def flaky(path: str) -> bytes:
        if path in ("tile/0/001", "tile/entries/000"):
            raise FetchError(path, "timed out")
        return files(path)

    report = fsck(flaky, ORIGIN, [SIGNER.vkey])
    assert {str(p) for p in report.problems} == {
        "tile/0/001: cannot fetch: timed out",
        "entries bundle 0 (tile/entries/000): cannot fetch: timed out",
    }


def test_max_problems_caps_the_list_and_stops_the_audit(tmp_path: Path) -> None:
    log = build_log(600)
    log.publish(tmp_path)

    def check(index: int, entry: bytes) -> None:
        raise ValueError("bad")

    report = fsck(
        directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], entry_check=check, max_problems=5
    )
    assert len(report.problems) == 5 and report.problem_count == 256
    assert report.stopped_at == 256 and report.computed_root is None and not report.ok


def test_a_signed_but_absurd_size_does_not_run_forever(tmp_path: Path) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 10**15, bytes(32)), SIGNER)
    (tmp_path / "checkpoint").write_bytes(note)
    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], max_problems=10)
    assert report.stopped_at == 6 * 256 and report.problem_count == 12
    assert report.problems[0] == Problem("tile/entries/000", "missing")


def test_an_unverified_checkpoint_stops_the_audit(tmp_path: Path) -> None:
    log = build_log(300)
    log.signer = OTHER_SIGNER
    log.publish(tmp_path)
    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey])
    assert [p.what for p in report.problems] == ["checkpoint"]
    assert report.problems[0].reason.startswith("does not verify")
    assert report.entries == 0 and report.size == 0


def test_report_throughput_is_positive(tmp_path: Path) -> None:
    build_log(2000).publish(tmp_path)
    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey])
    assert report.seconds > 0 and report.entries_per_second > 0


# ---------------------------------------------------------------- bundle parsing, tile hashing


@given(st.lists(st.binary(max_size=300), max_size=40))
def test_bundle_round_trip_and_leaf_hashes(entries: list[bytes]) -> None:
    data = encode_bundle(entries)
    assert parse_bundle(data, "b") == entries
    assert hash_bundle(data, "b") == [leaf_hash(e) for e in entries]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00", "truncated: entry 0 has a cut length prefix at byte 0"),
        (b"\x00\x01a\x00", "truncated: entry 1 has a cut length prefix at byte 3"),
        (b"\x00\x05abc", "truncated: entry 0 claims 5 bytes, only 3 remain"),
        (b"\x00\x00\x01\x00" + b"z" * 10, "truncated: entry 1 claims 256 bytes, only 10 remain"),
    ],
)
def test_bundle_truncation_is_named(data: bytes, reason: str) -> None:
    with pytest.raises(VerificationFailed) as err:
        hash_bundle(data, "entries bundle 0")
    assert (err.value.what, err.value.reason) == ("entries bundle 0", reason)


def test_subtree_hash_is_the_merkle_root_of_a_complete_subtree() -> None:
    from truce.ledger import root

    hashes = [leaf_hash(e) for e in random_entries(256)]
    for k in (1, 2, 4, 128, 256):
        assert subtree_hash(b"".join(hashes[:k])) == root(hashes[:k])
    with pytest.raises(ValueError, match="2\\*\\*k"):
        subtree_hash(b"".join(hashes[:3]))


def test_fsck_over_http(tmp_path: Path) -> None:
    log = build_log(70000, seed=3)
    log.publish(tmp_path)
    with serve(tmp_path) as url:
        report = fsck(http_fetcher(url, timeout=5), ORIGIN, [SIGNER.vkey])
        assert report.ok and report.entries == 70000
        (tmp_path / "tile/entries/010").write_bytes(b"\x00")
        report = fsck(http_fetcher(url, timeout=5), ORIGIN, [SIGNER.vkey])
    assert [p.what for p in report.problems] == ["entries bundle 10 (tile/entries/010)"]
