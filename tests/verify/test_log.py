"""LogClient: checkpoints, entries, inclusion and consistency from a published log."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verify._logs import ORIGIN, OTHER_SIGNER, SIGNER, Log, build_log, random_entries, serve
from truce.ledger import leaf_hash, verify_consistency
from truce.ledger.checkpoint import Checkpoint, sign_checkpoint
from truce.ledger.note import Signer
from truce.verify import (
    FetchError,
    InconsistentLogError,
    LogClient,
    SignedCheckpoint,
    VerificationFailed,
    directory_fetcher,
    http_fetcher,
)


def client(directory: Path, **kwargs: object) -> LogClient:
    return LogClient(directory_fetcher(directory), ORIGIN, [SIGNER.vkey], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, 1, 255, 256, 257, 70000])
def test_inclusion_of_sampled_entries(tmp_path: Path, n: int) -> None:
    log = build_log(n, seed=n)
    log.publish(tmp_path)
    c = client(tmp_path)
    cp = c.checkpoint()
    assert isinstance(cp, SignedCheckpoint)
    assert (cp.size, cp.root_hash, cp.note) == (n, log.tree.root(n), log.notes[n])
    rng = random.Random(n)
    sample = {0, n - 1, n // 2, *(rng.randrange(n) for _ in range(20))} if n else set()
    for i in sorted(sample):
        proof = c.prove_inclusion(log.entries[i], i, cp)
        assert proof == log.tree.inclusion_proof(i, n)
        assert c.prove_inclusion(leaf_hash(log.entries[i]), i, cp, hashed=True) == proof
        assert c.entry(i, cp) == log.entries[i] == c.entry(i, n)
        other = log.entries[i] + b"!"
        with pytest.raises(VerificationFailed) as err:
            c.prove_inclusion(other, i, cp)
        assert err.value.what == f"entry {i}"
    with pytest.raises(VerificationFailed, match="not in the log"):
        c.prove_inclusion(b"x", n, cp)


def test_nodes_read_from_tiles_equal_the_tree(tmp_path: Path) -> None:
    log = build_log(70000)
    log.publish(tmp_path)
    c = client(tmp_path)
    cp = c.checkpoint()
    for level, index in [(0, 0), (0, 69999), (3, 100), (8, 0), (8, 272), (9, 135), (16, 0)]:
        assert c.node(level, index, cp) == log.tree.get_node(level, index)
        assert c.node(level, index, 70000) == log.tree.get_node(level, index)
    with pytest.raises(ValueError, match="not a complete subtree"):
        c.node(8, 273, cp)
    with pytest.raises(ValueError, match="not in a log"):
        c.entry(70000, cp)


def test_consistency_as_the_log_grows(tmp_path: Path) -> None:
    sizes = [0, 1, 255, 256, 257, 1000, 65536, 70000]
    log = Log()
    c = client(tmp_path)
    seen: list[SignedCheckpoint] = []
    for size in sizes:
        log.append(random_entries(size - log.tree.size, seed=size))
        log.publish(tmp_path)
        cp = c.checkpoint()  # checks consistency with the previous one
        assert c.known == cp and cp.size == size
        seen.append(cp)
    for old in seen:
        for new in seen:
            if old.size <= new.size:
                proof = c.prove_consistency(old, new)
                assert proof == log.tree.consistency_proof(old.size, new.size)
                # The signed notes work as well as the verified checkpoints.
                assert c.prove_consistency(old.note, new.note) == proof


def test_known_checkpoint_at_construction(tmp_path: Path) -> None:
    log = build_log(300)
    log.publish(tmp_path)
    old_note = log.notes[300]
    log.append(random_entries(500, seed=1))
    log.publish(tmp_path)
    c = client(tmp_path, known=old_note)
    assert c.known is not None and c.known.size == 300
    assert c.checkpoint().size == 800


def test_old_checkpoint_uses_full_tile_when_partial_is_gone(tmp_path: Path) -> None:
    log = build_log(300)
    log.publish(tmp_path)
    old_note = log.notes[300]
    log.append(random_entries(300, seed=2))
    log.publish(tmp_path)
    # tlog-tiles: logs MAY delete a partial tile once the full one exists.
    (tmp_path / "tile/0/001.p/44").unlink()
    (tmp_path / "tile/entries/001.p/44").unlink()
    c = client(tmp_path)
    assert c.prove_inclusion(log.entries[290], 290, old_note) == log.tree.inclusion_proof(290, 300)
    assert c.entry(299, c.open(old_note)) == log.entries[299]


def test_checkpoint_must_be_signed_by_the_log(tmp_path: Path) -> None:
    log = build_log(10)
    log.signer = OTHER_SIGNER
    log.publish(tmp_path)
    with pytest.raises(VerificationFailed) as err:
        client(tmp_path).checkpoint()
    assert err.value.what == "checkpoint"


def test_checkpoint_of_another_origin(tmp_path: Path) -> None:
    log = build_log(10)
    log.publish(tmp_path)
    c = LogClient(directory_fetcher(tmp_path), "example.org/other", [SIGNER.verifier])
    with pytest.raises(VerificationFailed, match="origin"):
        c.checkpoint()
    foreign = Checkpoint("example.org/other", 10, log.tree.root())
    with pytest.raises(VerificationFailed, match="origin"):
        client(tmp_path).prove_consistency(foreign, log.notes[10])


def test_witness_cosignatures_are_ignored(tmp_path: Path) -> None:
    log = build_log(10)
    log.publish(tmp_path)
    witness = Signer("witness.example", bytes(32))
    cp = Checkpoint(ORIGIN, 10, log.tree.root())
    from truce.ledger import note

    both = note.sign(cp.to_text(), [SIGNER, witness])
    (tmp_path / "checkpoint").write_bytes(both)
    assert client(tmp_path).checkpoint().note == both


def test_missing_checkpoint_and_bad_keys(tmp_path: Path) -> None:
    with pytest.raises(VerificationFailed, match="missing"):
        client(tmp_path).checkpoint()
    with pytest.raises(VerificationFailed) as err:
        LogClient(directory_fetcher(tmp_path), ORIGIN, ["not a vkey"])
    assert err.value.what == "vkey"
    with pytest.raises(VerificationFailed, match="at least one"):
        LogClient(directory_fetcher(tmp_path), ORIGIN, [])


def test_rollback_raises_with_both_notes(tmp_path: Path) -> None:
    log = build_log(500)
    log.publish(tmp_path, 300)
    log.publish(tmp_path, 500)
    c = client(tmp_path)
    with pytest.raises(InconsistentLogError, match="rollback") as err:
        c.prove_consistency(log.notes[500], log.notes[300])
    assert err.value.old_checkpoint == log.notes[500]
    assert err.value.new_checkpoint == log.notes[300]
    assert err.value.proof == []


def test_fork_with_a_longer_log_carries_a_checkable_proof(tmp_path: Path) -> None:
    honest = build_log(1000, seed=1)
    forked = Log()
    forked.append([*honest.entries[:500], b"rewritten", *honest.entries[501:], b"more"])
    forked.publish(tmp_path)
    c = client(tmp_path, known=honest.sign(800))
    with pytest.raises(InconsistentLogError, match="fork") as err:
        c.checkpoint()
    e = err.value
    assert e.old_checkpoint == honest.notes[800] and e.new_checkpoint == forked.notes[1001]
    assert e.proof == forked.tree.consistency_proof(800, 1001)
    # The evidence holds for anyone: the proof leads to the new root, not to the old one.
    old, new = c.open(e.old_checkpoint), c.open(e.new_checkpoint)
    verify_consistency(800, 1001, forked.tree.root(800), new.root_hash, e.proof)
    with pytest.raises(ValueError, match="old root mismatch"):
        verify_consistency(800, 1001, old.root_hash, new.root_hash, e.proof)
    assert c.known is not None and c.known.note == honest.notes[800]  # not replaced


def test_fetch_errors_pass_through(tmp_path: Path) -> None:
    def broken(path: str) -> bytes:
        raise FetchError(path, "network down")

    with pytest.raises(FetchError, match="network down"):
        LogClient(broken, ORIGIN, [SIGNER.vkey]).checkpoint()


def test_a_fetcher_raising_file_not_found_means_missing(tmp_path: Path) -> None:
    log = build_log(300)
    log.publish(tmp_path)
    files = directory_fetcher(tmp_path)

    def fetch(path: str) -> bytes:
        if path.startswith("tile/0/001"):
            raise FileNotFoundError(path)
        return files(path)

    c = LogClient(fetch, ORIGIN, [SIGNER.vkey])
    with pytest.raises(VerificationFailed, match="missing") as err:
        c.checkpoint()
    assert err.value.what == "checkpoint" or err.value.what.startswith("tile/0/001")


def test_verification_over_http(tmp_path: Path) -> None:
    log = build_log(70000, seed=7)
    log.publish(tmp_path)
    with serve(tmp_path) as url:
        c = LogClient(http_fetcher(url, timeout=5), ORIGIN, [SIGNER.vkey])
        cp = c.checkpoint()
        assert cp.size == 70000
        for i in (0, 12345, 69999):
            assert c.prove_inclusion(c.entry(i, cp), i, cp) == log.tree.inclusion_proof(i, 70000)
        (tmp_path / "tile/1/000").unlink()
        fresh = LogClient(http_fetcher(url, timeout=5), ORIGIN, [SIGNER.verifier])
        with pytest.raises(VerificationFailed, match="missing") as err:
            fresh.prove_inclusion(log.entries[5], 5, cp)
        assert err.value.what == "tile/1/000"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_proofs_from_tiles_equal_the_tree_proofs(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    n = data.draw(st.integers(1, 3000), label="size")
    m = data.draw(st.integers(0, n), label="old size")
    i = data.draw(st.integers(0, n - 1), label="index")
    log = build_log(n, seed=n)
    directory = tmp_path_factory.mktemp("log")
    log.publish(directory, n)
    c = client(directory)
    cp = c.checkpoint()
    assert c.prove_inclusion(log.entries[i], i, cp) == log.tree.inclusion_proof(i, n)
    old = sign_checkpoint(Checkpoint(ORIGIN, m, log.tree.root(m)), SIGNER)
    assert c.prove_consistency(old, cp) == log.tree.consistency_proof(m, n)
