"""The tamper suite (issue 4's acceptance): every alteration is detected and named.

A log of 70,000 entries (full and partial tiles at levels 0, 1 and 2) is published
after an earlier publication at 65,000; each test alters a copy, then both
:func:`fsck` and :class:`LogClient` must refuse it, naming what is wrong.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.verify._logs import ORIGIN, SIGNER, Log, build_log
from truce.ledger import leaf_hash
from truce.ledger.tiles import TILE_WIDTH
from truce.publish.tlog import encode_bundle
from truce.verify import (
    FsckReport,
    InconsistentLogError,
    LogClient,
    VerificationFailed,
    directory_fetcher,
    fsck,
)
from truce.verify._tiles import parse_bundle

N = 70000
OLD = 65000


@dataclass
class Pristine:
    directory: Path
    log: Log
    forked: Path  # same size, one entry rewritten, signed with the same key


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    directory = tmp_path_factory.mktemp("pristine")
    log = build_log(N, seed=42)
    log.publish(directory, OLD)
    log.publish(directory, N)
    forked = Log()
    forked.append([*log.entries[:1000], b"history rewritten", *log.entries[1001:]])
    forked_dir = tmp_path_factory.mktemp("forked")
    forked.publish(forked_dir)
    return Pristine(directory, log, forked_dir)


@pytest.fixture
def site(pristine: Pristine, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine.directory, tmp_path / "log"))


def audit(site: Path, **kwargs: object) -> FsckReport:
    return fsck(directory_fetcher(site), ORIGIN, [SIGNER.vkey], **kwargs)  # type: ignore[arg-type]


def client(site: Path, **kwargs: object) -> LogClient:
    return LogClient(directory_fetcher(site), ORIGIN, [SIGNER.vkey], **kwargs)  # type: ignore[arg-type]


def verify_entry(c: LogClient, index: int) -> None:
    """Fetch the checkpoint (a right-edge fault fails here), then prove one entry."""
    cp = c.checkpoint()
    c.prove_inclusion(c.entry(index, N), index, cp)


def flip(path: Path, offset: int, mask: int = 0x01) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= mask
    path.write_bytes(bytes(data))


def test_pristine_copy_verifies(site: Path, pristine: Pristine) -> None:
    assert audit(site).ok
    c = client(site)
    cp = c.checkpoint()
    assert c.entry(1297, cp) == pristine.log.entries[1297]


# ------------------------------------------------------------------ entry bundles


@pytest.mark.parametrize(("bundle", "width"), [(5, 256), (273, 112)])
def test_one_byte_of_an_entry_bundle(site: Path, bundle: int, width: int) -> None:
    rel = f"tile/entries/{bundle:03d}" + ("" if width == TILE_WIDTH else f".p/{width}")
    entries = parse_bundle((site / rel).read_bytes(), rel)
    k = next(j for j in range(17, width) if entries[j])  # an entry with a byte to change
    offset = sum(2 + len(e) for e in entries[:k]) + 2
    flip(site / rel, offset)
    index = bundle * TILE_WIDTH + k

    report = audit(site)
    assert [str(p) for p in report.problems] == [
        f"entries bundle {bundle} ({rel}): entry {index} does not hash to hash {k} of "
        f"tile/0/{rel.removeprefix('tile/entries/')}, which the tiles above and the signed "
        "checkpoint confirm"
    ]
    c = client(site)
    cp = c.checkpoint()  # the tiles are intact: the checkpoint itself verifies
    with pytest.raises(VerificationFailed) as err:
        c.entry(index, cp)
    assert err.value.what == f"entry {index}" and rel in err.value.reason
    with pytest.raises(VerificationFailed):
        c.prove_inclusion(c.entry(index, N), index, cp)  # the altered bytes are not included


def test_one_byte_of_a_length_prefix(site: Path) -> None:
    flip(site / "tile/entries/005", 0, 0x80)
    report = audit(site)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.what == "entries bundle 5 (tile/entries/005)"
    assert problem.reason.startswith(("truncated", "holds"))
    with pytest.raises(VerificationFailed) as err:
        client(site).entry(5 * 256, client(site).checkpoint())
    assert err.value.what == "entries bundle 5 (tile/entries/005)"


@pytest.mark.parametrize("rel", ["tile/entries/007", "tile/entries/273.p/112"])
def test_truncated_bundle(site: Path, rel: str) -> None:
    data = (site / rel).read_bytes()
    (site / rel).write_bytes(data[:-1])
    report = audit(site)
    assert [p.what for p in report.problems] == [f"entries bundle {int(rel[13:16])} ({rel})"]
    assert report.problems[0].reason.startswith("truncated: entry ")
    last = int(rel[13:16]) * 256 + (111 if rel.endswith("112") else 255)
    c = client(site)
    with pytest.raises(VerificationFailed, match="truncated"):
        c.entry(last, c.checkpoint())


def test_bundle_missing_its_last_entry(site: Path) -> None:
    rel = "tile/entries/007"
    entries = parse_bundle((site / rel).read_bytes(), rel)
    (site / rel).write_bytes(encode_bundle(entries[:-1]))
    report = audit(site)
    assert [str(p) for p in report.problems] == [
        "entries bundle 7 (tile/entries/007): holds 255 entries, want 256"
    ]
    c = client(site)
    with pytest.raises(VerificationFailed, match="holds 255 entries"):
        c.entry(7 * 256, c.checkpoint())


def test_reordered_entries(site: Path) -> None:
    rel = "tile/entries/009"
    entries = parse_bundle((site / rel).read_bytes(), rel)
    assert entries[3] != entries[5]
    entries[3], entries[5] = entries[5], entries[3]
    (site / rel).write_bytes(encode_bundle(entries))
    report = audit(site)
    assert [str(p) for p in report.problems] == [
        "entries bundle 9 (tile/entries/009): entries 2307 and 2309 are out of order"
    ]
    c = client(site)
    cp = c.checkpoint()
    for index in (2307, 2309):
        with pytest.raises(VerificationFailed, match="does not hash to leaf"):
            c.entry(index, cp)


def test_missing_bundle(site: Path) -> None:
    (site / "tile/entries/100").unlink()
    report = audit(site)
    assert [str(p) for p in report.problems] == ["tile/entries/100: missing"]
    c = client(site)
    with pytest.raises(VerificationFailed, match="missing"):
        c.entry(100 * 256, c.checkpoint())


# ------------------------------------------------------------------ tiles


@pytest.mark.parametrize(
    ("rel", "k", "source", "entry"),
    [
        ("tile/0/005", 17, "the leaf hash of entry 1297 in tile/entries/005", 1297),
        ("tile/0/273.p/112", 100, "the leaf hash of entry 69988 in tile/entries/273.p/112", 69988),
        ("tile/1/000", 3, "the hash recomputed from the entries", 3 * 256 + 9),
        ("tile/1/001.p/17", 16, "the hash recomputed from the entries", 272 * 256),
        ("tile/2/000.p/1", 0, "the hash recomputed from the entries", 0),
    ],
)
def test_one_byte_of_a_tile(site: Path, rel: str, k: int, source: str, entry: int) -> None:
    flip(site / rel, 32 * k + 7)
    report = audit(site)
    assert [str(p) for p in report.problems] == [f"{rel}: hash {k} differs from {source}"]
    c = client(site)
    with pytest.raises(VerificationFailed) as err:
        verify_entry(c, entry)
    assert err.value.what == rel or (err.value.what == "checkpoint" and rel in err.value.reason)


@pytest.mark.parametrize("rel", ["tile/0/007", "tile/1/001.p/17"])
@pytest.mark.parametrize("cut", [1, 32, None])
def test_truncated_tile(site: Path, rel: str, cut: int | None) -> None:
    data = (site / rel).read_bytes()
    (site / rel).write_bytes(b"" if cut is None else data[:-cut])
    report = audit(site)
    want = len(data)
    got = 0 if cut is None else want - cut
    assert [str(p) for p in report.problems] == [f"{rel}: {got} bytes, want {want} (truncated)"]
    c = client(site)
    with pytest.raises(VerificationFailed) as err:
        verify_entry(c, 7 * 256)
    assert err.value.what == rel


def test_missing_tile(site: Path) -> None:
    (site / "tile/0/042").unlink()
    assert [str(p) for p in audit(site).problems] == ["tile/0/042: missing"]
    c = client(site)
    with pytest.raises(VerificationFailed, match="missing"):
        c.prove_inclusion(b"x", 42 * 256, c.checkpoint())


def test_entry_and_its_leaf_tile_rewritten_together(site: Path, pristine: Pristine) -> None:
    """An attacker who rewrites a bundle and its level-0 tile is caught one level up."""
    rel = "tile/entries/005"
    entries = parse_bundle((site / rel).read_bytes(), rel)
    entries[17] = b"forged"
    (site / rel).write_bytes(encode_bundle(entries))
    tile = bytearray((site / "tile/0/005").read_bytes())
    tile[17 * 32 : 18 * 32] = leaf_hash(b"forged")
    (site / "tile/0/005").write_bytes(bytes(tile))
    assert {str(p) for p in audit(site).problems} == {
        "entries bundle 5 (tile/entries/005): the entries do not hash to hash 5 of "
        "tile/1/000, which the checkpoint authenticates",
        "tile/0/005: does not hash to hash 5 of tile/1/000, which the checkpoint authenticates",
    }
    c = client(site)
    with pytest.raises(VerificationFailed) as err:
        c.prove_inclusion(b"forged", 5 * 256 + 17, c.checkpoint())
    assert err.value.what == "tile/0/005"


# ------------------------------------------------------------------ checkpoints


def test_every_single_byte_change_of_the_checkpoint(site: Path) -> None:
    note = (site / "checkpoint").read_bytes()
    for offset in range(len(note)):
        for mask in (0x01, 0x02, 0x20, 0x80):
            data = bytearray(note)
            data[offset] ^= mask
            (site / "checkpoint").write_bytes(bytes(data))
            with pytest.raises(VerificationFailed) as err:
                client(site).checkpoint()
            assert err.value.what == "checkpoint", (offset, mask)
            if offset % 16 == 0 and mask == 0x01:
                report = audit(site)
                assert not report.ok and report.problems[0].what == "checkpoint", (offset, mask)


def test_non_canonical_base64_signature_is_refused(site: Path) -> None:
    note = (site / "checkpoint").read_bytes()
    # A 68-byte signature is 92 base64 characters ending in "=": the last character
    # before it carries 2 unused bits; changing them keeps the decoded signature.
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    pos = note.rindex(b"=") - 1
    value = alphabet.index(note[pos : pos + 1])
    altered = note[:pos] + alphabet[value ^ 0b01 : (value ^ 0b01) + 1] + note[pos + 1 :]
    (site / "checkpoint").write_bytes(altered)
    with pytest.raises(VerificationFailed, match=r"malformed|canonical"):
        client(site).checkpoint()
    reason = audit(site).problems[0].reason
    assert "malformed" in reason or "canonical" in reason


def test_replayed_older_checkpoint(site: Path, pristine: Pristine) -> None:
    newer, older = pristine.log.notes[N], pristine.log.notes[OLD]
    (site / "checkpoint").write_bytes(older)
    c = client(site, known=newer)
    with pytest.raises(InconsistentLogError, match="rollback") as err:
        c.checkpoint()
    assert (err.value.old_checkpoint, err.value.new_checkpoint) == (newer, older)
    report = audit(site, since=newer)
    assert [p.what for p in report.problems] == ["checkpoint"]
    assert report.problems[0].reason.startswith(f"rollback: the log now has size {OLD}")
    # Alone, an old checkpoint is a true statement about the past: only memory catches it.
    assert audit(site).ok and client(site).checkpoint().size == OLD


def test_forked_log_same_size_different_root(pristine: Pristine) -> None:
    seen = pristine.log.notes[N]
    c = client(pristine.forked, known=seen)
    with pytest.raises(InconsistentLogError, match="fork: two different roots") as err:
        c.checkpoint()
    forked_note = (pristine.forked / "checkpoint").read_bytes()
    assert (err.value.old_checkpoint, err.value.new_checkpoint) == (seen, forked_note)
    assert err.value.proof == []
    # Both notes carry a valid signature by the same key: the evidence of a split view.
    assert c.open(err.value.old_checkpoint).size == c.open(err.value.new_checkpoint).size == N
    report = audit(pristine.forked, since=seen)
    assert [p.what for p in report.problems] == ["checkpoint"]
    assert report.problems[0].reason.startswith(f"fork: the log's first {N} entries")


def test_forked_log_seen_at_an_older_size(pristine: Pristine) -> None:
    seen = pristine.log.notes[OLD]
    with pytest.raises(InconsistentLogError, match="fork") as err:
        client(pristine.forked, known=seen).checkpoint()
    assert err.value.proof  # the consistency proof from the forked tiles, as evidence
    report = audit(pristine.forked, since=seen)
    assert [p.reason.split(":")[0] for p in report.problems] == ["fork"]


def test_signed_checkpoint_of_another_tree(site: Path, pristine: Pristine) -> None:
    (site / "checkpoint").write_bytes((pristine.forked / "checkpoint").read_bytes())
    report = audit(site)
    assert [p.what for p in report.problems] == ["checkpoint"]
    assert "differs from the tiles: the tiles and the entries agree on" in report.problems[0].reason
    with pytest.raises(VerificationFailed) as err:
        client(site).checkpoint()
    assert err.value.what == "checkpoint" and "root hash differs from the tiles" in err.value.reason
