"""Publishing a log as a C2SP tlog-tiles directory (https://c2sp.org/tlog-tiles)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verify._logs import Log, build_log, random_entries
from truce.errors import Conflict, StorageError, ValidationError
from truce.ledger.tiles import (
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    bundle_to_bytes,
    entry_bundles_for_size,
    tiles_for_size,
)
from truce.publish import tlog


def published_files(directory: Path) -> set[str]:
    return {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != tlog.LOCK_NAME
    }


def decode_bundle(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 2], "big")
        out.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    assert pos == len(data)
    return out


def test_encode_bundle_is_big_endian_uint16_length_prefixed() -> None:
    # tlog-tiles: "Entry bundles are sequences of big-endian uint16 length-prefixed log entries."
    assert tlog.encode_bundle([b"", b"ab", b"x" * 258]) == (
        b"\x00\x00" + b"\x00\x02ab" + b"\x01\x02" + b"x" * 258
    )
    assert tlog.encode_bundle([b"y" * 65535])[:2] == b"\xff\xff"


def test_an_entry_over_65535_bytes_cannot_be_bundled() -> None:
    with pytest.raises(ValidationError) as err:
        tlog.encode_bundle([b"a", b"b" * 65536], first_index=300)
    assert err.value.field == "entries[301]"
    assert "65535" in err.value.reason


def test_the_bundle_format_is_the_ledgers() -> None:
    assert tlog.MAX_ENTRY_SIZE is MAX_ENTRY_SIZE == 65535
    entries = random_entries(300, seed=5)[:TILE_WIDTH]
    assert tlog.encode_bundle(entries) == bundle_to_bytes(entries)
    with pytest.raises(ValidationError) as err:
        tlog.encode_bundle([b""] * (TILE_WIDTH + 1))
    assert err.value.field == "entries" and "at most 256" in err.value.reason
    with pytest.raises(ValidationError) as err:
        tlog.encode_bundle([b"", "text"], first_index=7)  # type: ignore[list-item]
    assert err.value.field == "entries[8]" and "must be bytes" in err.value.reason


@pytest.mark.parametrize("n", [0, 1, 255, 256, 257, 70000])
def test_layout_and_contents_for_size(tmp_path: Path, n: int) -> None:
    log = build_log(n, seed=n)
    report = log.publish(tmp_path)
    want = {t.path for t in tiles_for_size(n)} | {b.path for b in entry_bundles_for_size(n)}
    assert published_files(tmp_path) == want | {"checkpoint"}
    assert report.size == n and report.previous_size == 0 and report.checkpoint_written
    assert report.files_written == len(want) + 1
    for tile in tiles_for_size(n):
        data = (tmp_path / tile.path).read_bytes()
        level, index, width = tile
        assert data == b"".join(
            log.tree.get_node(8 * level, index * TILE_WIDTH + k) for k in range(width)
        )
    for bundle in entry_bundles_for_size(n):
        got = decode_bundle((tmp_path / bundle.path).read_bytes())
        assert got == log.entries[bundle.start : bundle.end]
    assert (tmp_path / "checkpoint").read_bytes() == log.notes[n]


def test_size_70000_matches_the_spec_example(tmp_path: Path) -> None:
    # tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one
    # partial level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of
    # width 17, and one partial level 2 tile of width 1."
    build_log(70000).publish(tmp_path)
    files = published_files(tmp_path)
    level0 = sorted(f for f in files if f.startswith("tile/0/"))
    assert len(level0) == 274 and level0[-1] == "tile/0/273.p/112" and "tile/0/272" in files
    assert {f for f in files if f.startswith(("tile/1/", "tile/2/"))} == {
        "tile/1/000",
        "tile/1/001.p/17",
        "tile/2/000.p/1",
    }
    assert "tile/entries/273.p/112" in files


def test_no_temporary_files_are_left_and_files_are_world_readable(tmp_path: Path) -> None:
    build_log(300).publish(tmp_path)
    leftovers = [p for p in tmp_path.rglob(".*") if p.name != tlog.LOCK_NAME]
    assert leftovers == []
    mode = (tmp_path / "tile/0/000").stat().st_mode
    assert mode & 0o444 == 0o444 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_incremental_publication_never_rewrites_full_files(tmp_path: Path) -> None:
    log = build_log(300)
    first = log.publish(tmp_path)
    assert (first.tiles_written, first.partial_tiles_written) == (1, 2)
    full = tmp_path / "tile/0/000"
    before = full.stat()
    log.append(random_entries(600, seed=9))
    second = log.publish(tmp_path)
    assert second.previous_size == 300 and second.size == 900
    # 900 = 3 full level-0 tiles (000 present) + .p/132; level 1: .p/3; bundles alike.
    assert second.tiles_written == 2 and second.partial_tiles_written == 2
    assert second.bundles_written == 2 and second.partial_bundles_written == 1
    after = full.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Old partial tiles stay (readers of the old checkpoint may use them).
    assert (tmp_path / "tile/0/001.p/44").exists()
    assert (tmp_path / "checkpoint").read_bytes() == log.notes[900]


def test_republishing_the_same_checkpoint_writes_nothing(tmp_path: Path) -> None:
    log = build_log(513)
    log.publish(tmp_path)
    again = tlog.publish(
        tmp_path,
        size=513,
        get_node=log.tree.get_node,
        get_entries=lambda lo, hi: log.entries[lo:hi],
        checkpoint=log.notes[513],
    )
    assert again.files_written == 0 and again.unchanged > 0


def test_refuses_a_smaller_size(tmp_path: Path) -> None:
    log = build_log(600)
    log.publish(tmp_path, 600)
    with pytest.raises(Conflict, match="never shrinks"):
        log.publish(tmp_path, 500)
    assert (tmp_path / "checkpoint").read_bytes() == log.notes[600]


def test_refuses_a_tree_that_forks_the_published_one(tmp_path: Path) -> None:
    build_log(300, seed=1).publish(tmp_path)
    other = build_log(400, seed=2)
    with pytest.raises(Conflict, match="fork"):
        other.publish(tmp_path)


def test_a_different_full_tile_on_disk_is_never_overwritten(tmp_path: Path) -> None:
    log = build_log(256)
    (tmp_path / "tile/0").mkdir(parents=True)
    (tmp_path / "tile/0/000").write_bytes(b"\x00" * 8192)
    with pytest.raises(Conflict, match="immutable"):
        log.publish(tmp_path)
    assert not (tmp_path / "checkpoint").exists()
    assert (tmp_path / "tile/0/000").read_bytes() == b"\x00" * 8192


def test_checkpoint_must_describe_the_tree(tmp_path: Path) -> None:
    log = build_log(10)
    note_for_9 = log.sign(9)
    with pytest.raises(ValidationError, match="size 9"):
        tlog.publish(
            tmp_path,
            size=10,
            get_node=log.tree.get_node,
            get_entries=lambda lo, hi: log.entries[lo:hi],
            checkpoint=note_for_9,
        )
    other = build_log(10, seed=5)
    with pytest.raises(ValidationError, match="root hash"):
        tlog.publish(
            tmp_path,
            size=10,
            get_node=log.tree.get_node,
            get_entries=lambda lo, hi: log.entries[lo:hi],
            checkpoint=other.sign(),
        )
    with pytest.raises(ValidationError):
        tlog.publish(
            tmp_path,
            size=10,
            get_node=log.tree.get_node,
            get_entries=_no_entries,
            checkpoint=b"junk",
        )
    assert not (tmp_path / "checkpoint").exists()


def test_entries_must_hash_to_the_leaves(tmp_path: Path) -> None:
    log = build_log(20)
    wrong = [*log.entries]
    wrong[7] = b"not the entry"
    with pytest.raises(ValidationError, match="entry 7 does not hash"):
        tlog.publish(
            tmp_path,
            size=20,
            get_node=log.tree.get_node,
            get_entries=lambda lo, hi: wrong[lo:hi],
            checkpoint=log.sign(),
        )
    with pytest.raises(ValidationError, match="returned 19 entries"):
        tlog.publish(
            tmp_path,
            size=20,
            get_node=log.tree.get_node,
            get_entries=lambda lo, hi: log.entries[lo : hi - 1],
            checkpoint=log.sign(),
        )
    assert not (tmp_path / "checkpoint").exists()


def test_oversized_entry_is_refused_before_any_checkpoint(tmp_path: Path) -> None:
    log = Log()
    log.append([b"ok", b"x" * 70000, b"fine"])
    with pytest.raises(ValidationError) as err:
        log.publish(tmp_path)
    assert err.value.field == "entries[1]"
    assert "at most 65535 bytes" in err.value.reason
    assert not (tmp_path / "checkpoint").exists()


def test_a_failure_midway_leaves_the_published_checkpoint_intact(tmp_path: Path) -> None:
    log = build_log(300)
    log.publish(tmp_path)
    log.append(random_entries(1000, seed=3))

    def failing(lo: int, hi: int) -> list[bytes]:
        if lo >= 768:
            raise OSError("store went away")
        return log.entries[lo:hi]

    with pytest.raises(StorageError, match="store went away"):
        tlog.publish(
            tmp_path,
            size=1300,
            get_node=log.tree.get_node,
            get_entries=failing,
            checkpoint=log.sign(),
        )
    assert (tmp_path / "checkpoint").read_bytes() == log.notes[300]
    # A retry completes the publication.
    assert log.publish(tmp_path).size == 1300


def test_unreadable_published_checkpoint_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "checkpoint").write_bytes(b"garbage")
    with pytest.raises(StorageError, match="unreadable"):
        build_log(3).publish(tmp_path)


def test_file_system_errors_become_storage_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError):
        build_log(3).publish(blocker / "log")


def test_bad_arguments(tmp_path: Path) -> None:
    log = build_log(3)
    with pytest.raises(ValidationError):
        tlog.publish(
            tmp_path, size=-1, get_node=log.tree.get_node, get_entries=_no_entries, checkpoint=b""
        )
    with pytest.raises(ValidationError) as err:
        tlog.publish(
            tmp_path,
            size=3,
            get_node=lambda level, index: b"short",
            get_entries=_no_entries,
            checkpoint=log.sign(),
        )
    assert err.value.field in ("get_node", "checkpoint")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sizes=st.lists(st.integers(0, 1500), min_size=1, max_size=4))
def test_growing_publication_equals_publishing_once(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int]
) -> None:
    sizes = sorted(sizes)
    log = build_log(sizes[-1], seed=sizes[-1])
    grown = tmp_path_factory.mktemp("grown")
    for size in sizes:
        log.publish(grown, size)
    once = tmp_path_factory.mktemp("once")
    log.publish(once, sizes[-1])
    for rel in published_files(once):
        assert (grown / rel).read_bytes() == (once / rel).read_bytes()


def _no_entries(lo: int, hi: int) -> list[bytes]:
    raise AssertionError("not reached: the arguments are refused first")


def test_repair_recreates_missing_older_files(tmp_path: Path) -> None:
    log = build_log(1000)
    log.publish(tmp_path, 600)
    (tmp_path / "tile/0/000").unlink()
    (tmp_path / "tile/entries/001").unlink()
    plain = log.publish(tmp_path, 700)  # only what the old checkpoint does not cover
    assert not (tmp_path / "tile/0/000").exists()
    assert plain.tiles_written == 0 and plain.bundles_written == 0
    repaired = tlog.publish(
        tmp_path,
        size=1000,
        get_node=log.tree.get_node,
        get_entries=lambda lo, hi: log.entries[lo:hi],
        checkpoint=log.sign(1000),
        repair=True,
    )
    assert (tmp_path / "tile/0/000").exists() and (tmp_path / "tile/entries/001").exists()
    assert repaired.tiles_written == 2 and repaired.bundles_written == 2
