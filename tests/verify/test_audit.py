"""fsck on clean logs: every tile and the root re-derived, entry checks, bundle hashing.

Also the private helpers fsck streams through (:mod:`truce.verify._tiles`): bundle
errors named after the file, subtree hashing, and the :class:`BundleHasher` worker
processes. The tamper cases (fsck and LogClient on altered logs) are in test_tamper.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import truce
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
from truce.verify._tiles import BundleHasher, hash_bundle_row, parse_bundle, subtree_hash


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


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=40))
def test_bundle_round_trip_and_leaf_hashes(entries: list[bytes]) -> None:
    data = encode_bundle(entries)
    assert parse_bundle(data, "b") == parse_bundle(data, "b", len(entries)) == entries
    row, top = hash_bundle_row(data, len(entries), "b")
    assert row == b"".join(leaf_hash(e) for e in entries) and top is None


def test_a_full_bundle_also_gives_its_subtree_hash() -> None:
    from truce.ledger import root

    entries = random_entries(256, seed=4)
    row, top = hash_bundle_row(encode_bundle(entries), 256, "b")
    assert row == b"".join(leaf_hash(e) for e in entries)
    assert top == root([leaf_hash(e) for e in entries])


@pytest.mark.parametrize(
    ("data", "count", "reason"),
    [
        (b"\x00", 1, "truncated: entry 0 has a cut length prefix at byte 0"),
        (b"\x00\x01a\x00", 2, "truncated: entry 1 has a cut length prefix at byte 3"),
        (b"\x00\x05abc", 1, "truncated: entry 0 claims 5 bytes, only 3 remain"),
        (b"\x00\x00\x01\x00" + b"z" * 10, 2, "truncated: entry 1 claims 256 bytes, only 10 remain"),
        (
            b"\x00\x00\x00\x00",
            1,
            "holds more entries than the 1 wanted (2 trailing bytes after entry 0)",
        ),
        (b"\x00\x00", 2, "holds 1 entries, want 2"),
    ],
)
def test_bundle_faults_are_named_after_the_file(data: bytes, count: int, reason: str) -> None:
    for hasher in (BundleHasher(1), BundleHasher(2)):
        with hasher:
            hasher.submit(data, count, "entries bundle 0")
            with pytest.raises(VerificationFailed) as err:
                hasher.result()
        assert (err.value.what, err.value.reason) == ("entries bundle 0", reason)
    with pytest.raises(VerificationFailed) as err:
        parse_bundle(data, "entries bundle 0", count)
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


# ---------------------------------------------------------------- hashing in worker processes
# Workers are only forked from a single-threaded process; this test process is not
# one (numpy, imported by the conftest's Mission, starts an OpenBLAS thread), so the
# worker paths run in a fresh interpreter that imports truce.verify alone.

POOL = 70000  # over fsck's threshold for forking workers
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")

_FSCK = """
import json, os, sys
from truce.verify import _tiles, directory_fetcher, fsck
directory, origin, vkey, mode = sys.argv[1:]
if mode == "die":
    _tiles._serve = lambda requests, answers: os._exit(3)  # as if killed
seen = []
report = fsck(directory_fetcher(directory), origin, [vkey], workers=2,
              entry_check=lambda index, entry: seen.append(index))
print(json.dumps({
    "threads": len(os.listdir("/proc/self/task")),
    "workers": report.workers, "ok": report.ok, "entries": report.entries,
    "root": report.computed_root.hex(), "problems": [str(p) for p in report.problems],
    "in_order": seen == list(range(report.size)),
}))
"""


def single_threaded(code: str, *args: str) -> Any:
    """Run ``code`` in a fresh interpreter (one thread: workers may fork); its JSON output."""
    env = dict(os.environ, PYTHONPATH=str(Path(truce.__file__).parents[1]))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def fsck_in_workers(directory: Path, mode: str = "") -> Any:
    return single_threaded(_FSCK, str(directory), ORIGIN, SIGNER.vkey, mode)


@linux_only
def test_workers_give_the_same_report(tmp_path: Path) -> None:
    log = build_log(POOL, seed=8)
    log.publish(tmp_path)
    here = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], workers=1)
    there = fsck_in_workers(tmp_path)
    assert there["threads"] == 1 and there["workers"] == 2
    assert there["ok"] and there["in_order"] and there["entries"] == here.entries == POOL
    assert there["root"] == here.computed_root.hex() == log.tree.root().hex()  # type: ignore[union-attr]


@linux_only
def test_workers_report_faults_as_the_audit_in_process_does(tmp_path: Path) -> None:
    log = build_log(POOL, seed=9)
    log.publish(tmp_path)
    (tmp_path / "tile/entries/010").write_bytes(encode_bundle(log.entries[2560:2815]))
    (tmp_path / "tile/entries/020").write_bytes(encode_bundle(log.entries[5120:5376]) + b"\x00\x00")
    data = bytearray((tmp_path / "tile/entries/030").read_bytes())
    data[2 + len(log.entries[7680]) - 1] ^= 1  # the last byte of entry 7680
    (tmp_path / "tile/entries/030").write_bytes(bytes(data))
    want = [
        "entries bundle 10 (tile/entries/010): holds 255 entries, want 256",
        "entries bundle 20 (tile/entries/020): holds more entries than the 256 wanted "
        "(2 trailing bytes after entry 255)",
        "entries bundle 30 (tile/entries/030): entry 7680 does not hash to hash 0 of "
        "tile/0/030, which the tiles above and the signed checkpoint confirm",
    ]
    here = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], workers=1)
    assert [str(p) for p in here.problems] == want
    there = fsck_in_workers(tmp_path)
    assert there["workers"] == 2 and there["problems"] == want


@linux_only
def test_a_dying_worker_is_replaced_by_this_process(tmp_path: Path) -> None:
    log = build_log(POOL, seed=10)
    log.publish(tmp_path)
    there = fsck_in_workers(tmp_path, "die")
    assert there["workers"] == 2  # forked, then died: their bundles were hashed here
    assert there["ok"] and there["in_order"] and there["entries"] == POOL
    assert there["root"] == log.tree.root().hex()


_HASHER = """
import json, os, random, sys
from truce.ledger.tiles import bundle_to_bytes
from truce.verify._tiles import BundleHasher, hash_bundle_row
rng = random.Random(1)
sizes = (256, 3, 256, 1, 256, 7, 256, 256, 256, 2, 256, 256, 5, 256)
bundles = [[rng.randbytes(rng.randrange(300)) for _ in range(n)] for n in sizes]
bundles[5][0] = b"x" * 70  # then cut below: a fault, answered in its turn
datas = [bundle_to_bytes(b) for b in bundles]
datas[5] = datas[5][:50]
def outcome(get):
    try:
        row, top = get()
        return [row.hex(), top and top.hex()]
    except Exception as exc:
        return [type(exc).__name__, str(exc)]
with BundleHasher(2) as hasher:  # 7 bundles each, more than one pipe may hold
    workers, pids = hasher.workers, [w.pid for w in hasher._pool]
    for data, b in zip(datas, bundles):
        hasher.submit(data, len(b), "bundle")
    stashed = [len(w.stash) for w in hasher._pool]
    got = [outcome(hasher.result) for _ in bundles]
want = [outcome(lambda: hash_bundle_row(d, len(b), "bundle")) for d, b in zip(datas, bundles)]
reaped = []
for pid in pids:
    try:
        os.waitpid(pid, os.WNOHANG)
        reaped.append(False)
    except ChildProcessError:
        reaped.append(True)
hasher.close()  # idempotent
print(json.dumps({"workers": workers, "after": hasher.workers, "same": got == want,
                  "fault": got[5], "reaped": reaped, "stashed": stashed}))
"""


@linux_only
def test_bundle_hasher_answers_in_order_and_reaps_its_workers() -> None:
    out = single_threaded(_HASHER)
    assert out["workers"] == 2 and out["after"] == 0 and out["same"]
    assert out["stashed"] == [3, 3]  # answers read early to keep each worker's pipe from filling
    assert out["fault"] == [
        "VerificationFailed",
        "bundle: truncated: entry 0 claims 70 bytes, only 48 remain",
    ]
    assert out["reaped"] == [True, True]  # no zombie left behind


def test_no_workers_are_forked_from_a_threaded_process() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with BundleHasher(2) as hasher:
            assert hasher.workers == 0
            hasher.submit(encode_bundle([b"a"]), 1, "b")
            assert hasher.result() == (leaf_hash(b"a"), None)
    finally:
        stop.set()
        thread.join()


def test_in_process_the_report_is_the_same_whatever_workers_asked(tmp_path: Path) -> None:
    log = build_log(POOL, seed=11)
    log.publish(tmp_path)
    reports = [fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], workers=w) for w in (1, 2)]
    assert reports[0] == reports[1] and reports[0].ok and reports[0].workers == 0


def test_small_logs_are_hashed_in_process(tmp_path: Path) -> None:
    build_log(600).publish(tmp_path)
    report = fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], workers=4)
    assert report.ok and report.workers == 0


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_workers_must_be_a_positive_integer(tmp_path: Path, workers: int) -> None:
    with pytest.raises(ValueError, match="workers"):
        fsck(directory_fetcher(tmp_path), ORIGIN, [SIGNER.vkey], workers=workers)
