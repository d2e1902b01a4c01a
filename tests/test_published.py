"""A party's checks of a published demo log, and the tamper suite on it.

A small demo mission publishes its log (records, key registry, agreement
versions with their geography blobs). Each test alters a copy of the published
directory the way a dishonest or careless publisher could; the routine check
(:func:`check_log`), the full audit (:func:`audit_log`) and the record-proof
check must refuse it with a :mod:`truce.errors` error naming what is wrong.
"""

from __future__ import annotations

import base64
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from truce.demo import run_demo
from truce.errors import InconsistentLog, NotFound, ValidationError, VerificationError
from truce.ledger import MemoryTree, leaf_hash
from truce.ledger.checkpoint import Checkpoint, sign_checkpoint
from truce.ledger.tiles import bundle_from_bytes, bundle_to_bytes
from truce.mission import Mission
from truce.publish import tlog
from truce.publish.blobs import publish_blobs
from truce.published import (
    AuditResult,
    audit_log,
    check_log,
    check_record,
    open_fetcher,
    origin_of,
    read_vkey,
)


@dataclass
class Published:
    mission_dir: Path
    log: Path
    vkey: str
    first: bytes  # a checkpoint a party saw early on
    entries: list[bytes]
    proof: bytes  # a record proof file of entry 5


def republish(target: Path, entries: list[bytes], m: Mission) -> bytes:
    """Publish ``entries`` as a log signed with the mission's own log key (a forgery)."""
    store = m.store
    publish_blobs(target, [(sha, lambda h=sha: store.get_blob(h)) for sha, _ in store.blob_index()])
    tree = MemoryTree(leaf_hash(e) for e in entries)
    note = sign_checkpoint(
        Checkpoint(m.settings.log_origin, tree.size, tree.root(tree.size)), m.log_signer()
    )
    tlog.publish(
        target,
        size=tree.size,
        get_node=tree.get_node,
        get_entries=lambda lo, hi: entries[lo:hi],
        checkpoint=note,
    )
    return note


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    path = tmp_path_factory.mktemp("demo") / "m"
    result = run_demo(path, days=6)
    assert result.status.previous is not None and result.audit.report.ok
    assert result.checkpoint.size > 2 * 256  # full and partial bundles and tiles
    with Mission.open(path) as m:
        entries = m.store.entries(0, m.store.size())
        proof = json.dumps(m.prove("#5")).encode()
        first = m.store.checkpoint(2)[2]
    vkey = read_vkey(str(path / "public" / "vkey"))
    return Published(path, path / "public" / "log", vkey, first, entries, proof)


@pytest.fixture
def site(published: Published, tmp_path: Path) -> Path:
    shutil.copytree(published.log, tmp_path / "log")
    return tmp_path / "log"


def problems(site: Path, vkey: str, **kwargs: bytes) -> list[str]:
    result = audit_log(str(site), vkey, **kwargs)
    assert isinstance(result, AuditResult)
    with pytest.raises(VerificationError):
        result.raise_for_problems()
    return [str(p) for p in result.report.problems]


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# -- the pristine log ------------------------------------------------------------


def test_pristine_log_verifies(site: Path, published: Published) -> None:
    status = check_log(str(site), published.vkey, since=published.first)
    assert status.previous is not None and status.previous.size == 2
    assert status.checkpoint.size == len(published.entries)
    result = audit_log(str(site), published.vkey, since=published.first)
    result.raise_for_problems()
    assert result.report.entries == len(published.entries)
    assert result.kinds["agreement"] == 2 and result.blobs == 3
    assert result.keys == result.kinds["key"]
    check = check_record(published.proof, published.vkey, location=str(site))
    assert check.index == 5 and check.latest is not None


def test_vkey_from_a_string_or_a_file(published: Published, tmp_path: Path) -> None:
    assert read_vkey(published.vkey) == published.vkey
    assert origin_of(published.vkey) == "truce/truce-demo"
    with pytest.raises(ValidationError) as info:
        read_vkey(str(tmp_path / "nope"))
    assert info.value.field == "vkey"
    (tmp_path / "bad").write_text("truce/x+00000000+AAAA\n")
    with pytest.raises(ValidationError, match="not a verifier key"):
        read_vkey(str(tmp_path / "bad"))


def test_missing_log_and_wrong_key(published: Published, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        check_log(str(tmp_path / "nowhere"), published.vkey)
    with pytest.raises(NotFound):
        open_fetcher(str(tmp_path / "nowhere"))
    with Mission.create(tmp_path / "other") as other:
        stranger = other.log_vkey()
    with pytest.raises(VerificationError, match="checkpoint"):
        check_log(str(published.log), stranger)


# -- tampering --------------------------------------------------------------------


def test_one_byte_of_an_entry_bundle(site: Path, published: Published) -> None:
    bundle = site / "tile/entries/000"
    before = bundle_from_bytes(bundle.read_bytes())[:5]
    flip(bundle, sum(2 + len(e) for e in before) + 2 + 40)  # inside entry 5
    found = problems(site, published.vkey)
    assert "entries bundle 0 (tile/entries/000): entry 5 does not hash" in "\n".join(found)
    with pytest.raises(VerificationError, match="entry 5"):
        check_record(published.proof, published.vkey, location=str(site))


def test_one_byte_of_a_tile(site: Path, published: Published) -> None:
    flip(site / "tile/0/000", 32 * 5 + 3)
    assert problems(site, published.vkey)[0].startswith("tile/0/000: hash 5 differs")
    # The routine check reads only the right edge; a proof through the tile fails.
    check_log(str(site), published.vkey)
    with pytest.raises(VerificationError, match="tile/0/000"):
        check_record(published.proof, published.vkey, location=str(site))


def test_one_byte_of_the_checkpoint(site: Path, published: Published) -> None:
    note = site / "checkpoint"
    for offset in (0, len(note.read_bytes()) // 2, len(note.read_bytes()) - 3):
        shutil.copy(published.log / "checkpoint", note)
        flip(note, offset)
        with pytest.raises(VerificationError, match="checkpoint"):
            check_log(str(site), published.vkey)
        assert [p.split(":")[0] for p in problems(site, published.vkey)] == ["checkpoint"]


def test_truncated_bundle(site: Path, published: Published) -> None:
    bundle = site / "tile/entries/001"
    bundle.write_bytes(bundle.read_bytes()[:-10])
    assert "truncated" in problems(site, published.vkey)[0]


def test_reordered_entries(site: Path, published: Published) -> None:
    rel = site / "tile/entries/000"
    entries = bundle_from_bytes(rel.read_bytes())
    entries[3], entries[4] = entries[4], entries[3]
    rel.write_bytes(bundle_to_bytes(entries))
    assert problems(site, published.vkey)[0] == (
        "entries bundle 0 (tile/entries/000): entries 3 and 4 are out of order"
    )


def test_replayed_older_checkpoint(site: Path, published: Published) -> None:
    latest = (site / "checkpoint").read_bytes()
    (site / "checkpoint").write_bytes(published.first)
    with pytest.raises(InconsistentLog, match="rollback") as info:
        check_log(str(site), published.vkey, since=latest)
    assert info.value.old_checkpoint == latest.decode()
    assert info.value.new_checkpoint == published.first.decode()
    assert problems(site, published.vkey, since=latest)[0].startswith("checkpoint: rollback")


def test_forked_log_same_size_different_root(published: Published, tmp_path: Path) -> None:
    # The mission rewrites one record and signs the new tree with its own log key.
    entries = list(published.entries)
    entries[10] = entries[11]
    with Mission.open(published.mission_dir) as m:
        republish(tmp_path / "fork", entries, m)
    seen = (published.log / "checkpoint").read_bytes()
    with pytest.raises(InconsistentLog, match="fork") as info:
        check_log(str(tmp_path / "fork"), published.vkey, since=seen)
    details = info.value.details()
    assert details["old_checkpoint"] == seen.decode()
    assert details["new_checkpoint"] == (tmp_path / "fork" / "checkpoint").read_text()
    found = problems(tmp_path / "fork", published.vkey, since=seen)
    assert any(p.startswith("checkpoint: fork") for p in found)
    # The earlier record proof is now evidence too: its checkpoint is not in the fork.
    with pytest.raises(InconsistentLog):
        check_record(published.proof, published.vkey, location=str(tmp_path / "fork"))


def test_a_forged_record_in_a_correctly_hashed_log(published: Published, tmp_path: Path) -> None:
    # Tiles, root and signature are all consistent, but the mission altered a
    # signed record: only the entry signature check catches it.
    entries = list(published.entries)
    env = json.loads(entries[20])
    payload = base64.b64decode(env["payload"]).replace(b'"synthetic":true', b'"synthetic":false')
    env["payload"] = base64.b64encode(payload).decode()
    entries[20] = json.dumps(env, separators=(",", ":"), sort_keys=True).encode()
    with Mission.open(published.mission_dir) as m:
        republish(tmp_path / "forged", entries, m)
    check_log(str(tmp_path / "forged"), published.vkey)  # the tree itself is sound
    found = problems(tmp_path / "forged", published.vkey)
    assert found == ["entry 20: signature 0 does not verify"]


def test_a_geography_blob_changed_or_missing(site: Path, published: Published) -> None:
    blob = next((site / "blob").iterdir())
    flip(blob, 100)
    found = problems(site, published.vkey)
    assert found[0].startswith("entry 1: document.geography.")
    assert "is not the blob the record references" in found[0]
    blob.unlink()
    assert "missing" in problems(site, published.vkey)[0]
