"""RFC 6962 Merkle hashing, roots and proofs: known answers, a naive reference, tampering.

Known-answer vectors come from the reference implementations:

- the 8-leaf RFC 6962 test tree, its roots for sizes 1..8 and its inclusion and
  consistency proofs: ``transparency-dev/merkle`` ``proof/verify_test.go``
  (``leaves``, ``roots``, ``inclusionProofs``, ``consistencyProofs``), which
  carries over ``google/certificate-transparency``
  ``src/merkletree/MerkleTreeTest.cc`` (``inputs``, ``sha256_roots``);
- which stored nodes a proof reads (the tlog storage model):
  ``transparency-dev/merkle`` ``proof/proof_test.go`` (``TestInclusion``,
  ``TestConsistency``).

Everything else is checked against ``_ref_*``, a literal transcription of the
recursive definitions of RFC 6962 §2.1 (MTH), §2.1.1 (PATH) and §2.1.2
(PROOF / SUBPROOF) over plain lists of leaf hashes.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import truce.ledger
from truce.ledger import (
    EMPTY_ROOT,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_inclusion,
    root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

# --------------------------------------------------------------------------- reference


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _ref_leaf(entry: bytes) -> bytes:
    return _sha(b"\x00" + entry)


def _ref_split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _ref_mth(d: Sequence[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH over leaf hashes (MTH({d0}) is the leaf hash itself)."""
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return d[0]
    k = _ref_split(len(d))
    return _sha(b"\x01" + _ref_mth(d[:k]) + _ref_mth(d[k:]))


def _ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[n])."""
    n = len(d)
    if n == 1:
        return []
    k = _ref_split(n)
    if m < k:
        return [*_ref_path(m, d[:k]), _ref_mth(d[k:])]
    return [*_ref_path(m - k, d[k:]), _ref_mth(d[:k])]


def _ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(d)
    if m == n:
        return [] if b else [_ref_mth(d)]
    k = _ref_split(n)
    if m <= k:
        return [*_ref_subproof(m, d[:k], b), _ref_mth(d[k:])]
    return [*_ref_subproof(m - k, d[k:], False), _ref_mth(d[:k])]


def _ref_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 §2.1.2 PROOF(m, D[n]); empty for m == 0 (our documented choice) and m == n."""
    if m == 0 or m == len(d):
        return []
    return _ref_subproof(m, d, True)


def _ref_sides(m: int, n: int) -> list[bool]:
    """Shape of PATH(m, D[n]): for each proof hash, whether it is the left sibling."""
    if n == 1:
        return []
    k = _ref_split(n)
    if m < k:
        return [*_ref_sides(m, k), False]
    return [*_ref_sides(m - k, n - k), True]


ENTRIES = [b"entry %d" % i for i in range(1100)]
LEAVES = [_ref_leaf(e) for e in ENTRIES]
TREE = MemoryTree(LEAVES)  # one tree; proofs for every earlier size come from it


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _accepts(check: Callable[..., None], *args: object) -> bool:
    """Whether ``check(*args)`` passes (True) or raises ProofError (False)."""
    try:
        check(*args)
    except ProofError:
        return False
    return True


# --------------------------------------------------------------------------- known answers

# transparency-dev/merkle proof/verify_test.go `leaves` (= google/certificate-transparency
# src/merkletree/MerkleTreeTest.cc `inputs`).
KAT_ENTRIES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
# Same sources, `roots` / `sha256_roots`: the root after 1, 2, ..., 8 leaves.
KAT_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
# transparency-dev/merkle proof/verify_test.go `inclusionProofs`: (1-based leaf, size, proof).
KAT_INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# transparency-dev/merkle proof/verify_test.go `consistencyProofs`: (size1, size2, proof).
KAT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
KAT_TREE = MemoryTree(leaf_hash(e) for e in KAT_ENTRIES)
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_hash_primitives_match_rfc6962() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    # The 1-leaf tree's root is the leaf hash of the empty entry (KAT_ROOTS[0]).
    assert leaf_hash(b"") == KAT_ROOTS[0]
    assert leaf_hash(b"x") == _sha(b"\x00x")
    assert node_hash(KAT_ROOTS[0], KAT_ROOTS[1]) == _sha(b"\x01" + KAT_ROOTS[0] + KAT_ROOTS[1])
    assert node_hash(KAT_ROOTS[0], KAT_ROOTS[1]) != node_hash(KAT_ROOTS[1], KAT_ROOTS[0])


@pytest.mark.parametrize("size", range(1, 9))
def test_known_roots(size: int) -> None:
    leaves = [leaf_hash(e) for e in KAT_ENTRIES[:size]]
    assert root(leaves) == KAT_ROOTS[size - 1]
    assert KAT_TREE.root(size) == KAT_ROOTS[size - 1]
    assert root_from_nodes(size, KAT_TREE.get_node) == KAT_ROOTS[size - 1]


def test_empty_tree_root() -> None:
    assert root([]) == EMPTY_ROOT
    assert MemoryTree().root() == EMPTY_ROOT
    assert KAT_TREE.root(0) == EMPTY_ROOT
    assert root_from_nodes(0, KAT_TREE.get_node) == EMPTY_ROOT


@pytest.mark.parametrize(("leaf", "size", "proof_hex"), KAT_INCLUSION)
def test_known_inclusion_proofs(leaf: int, size: int, proof_hex: list[str]) -> None:
    index = leaf - 1
    proof = [bytes.fromhex(h) for h in proof_hex]
    assert KAT_TREE.inclusion_proof(index, size) == proof
    lh = leaf_hash(KAT_ENTRIES[index])
    assert root_from_inclusion(lh, index, size, proof) == KAT_ROOTS[size - 1]
    verify_inclusion(lh, index, size, proof, KAT_ROOTS[size - 1])


def _inclusion_probes(
    index: int, size: int, proof: list[bytes], rt: bytes, lh: bytes
) -> list[tuple[int, int, list[bytes], bytes, bytes, str]]:
    """transparency-dev/merkle proof/verify_test.go corruptInclusionProof."""
    probes = [
        (index - 1, size, proof, rt, lh, "index - 1"),
        (index + 1, size, proof, rt, lh, "index + 1"),
        (index ^ 2, size, proof, rt, lh, "index ^ 2"),
        (index, size * 2, proof, rt, lh, "size * 2"),
        (index, size // 2, proof, rt, lh, "size / 2"),
        (index, size, proof, rt, b"WrongLeaf", "wrong leaf"),
        (index, size, proof, EMPTY_ROOT, lh, "empty root"),
        (index, size, proof, SOME_HASH, lh, "random root"),
        (index, size, [*proof, b""], rt, lh, "trailing garbage"),
        (index, size, [*proof, rt], rt, lh, "trailing root"),
        (index, size, [b"", *proof], rt, lh, "preceding garbage"),
        (index, size, [rt, *proof], rt, lh, "preceding root"),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = _flip(bad[i], 3)
        probes.append((index, size, bad, rt, lh, f"modified proof[{i}] bit 3"))
    if proof:
        probes.append((index, size, proof[:-1], rt, lh, "removed component"))
    if len(proof) > 1:
        probes.append((index, size, [proof[0], SOME_HASH, *proof[1:]], rt, lh, "inserted"))
    return probes


@pytest.mark.parametrize(("leaf", "size", "proof_hex"), KAT_INCLUSION[1:])
def test_known_inclusion_proofs_reject_corruption(
    leaf: int, size: int, proof_hex: list[str]
) -> None:
    index = leaf - 1
    proof = [bytes.fromhex(h) for h in proof_hex]
    lh = leaf_hash(KAT_ENTRIES[index])
    for i, n, p, rt, h, desc in _inclusion_probes(index, size, proof, KAT_ROOTS[size - 1], lh):
        if i < 0:
            continue  # uint64 wrap-around in Go; a negative index is refused anyway
        with pytest.raises(ProofError):
            verify_inclusion(h, i, n, p, rt)
        assert desc


@pytest.mark.parametrize(("size1", "size2", "proof_hex"), KAT_CONSISTENCY)
def test_known_consistency_proofs(size1: int, size2: int, proof_hex: list[str]) -> None:
    proof = [bytes.fromhex(h) for h in proof_hex]
    assert KAT_TREE.consistency_proof(size1, size2) == proof
    verify_consistency(size1, size2, KAT_ROOTS[size1 - 1], KAT_ROOTS[size2 - 1], proof)


@pytest.mark.parametrize(("size1", "size2", "proof_hex"), KAT_CONSISTENCY[1:])
def test_known_consistency_proofs_reject_corruption(
    size1: int, size2: int, proof_hex: list[str]
) -> None:
    """transparency-dev/merkle proof/verify_test.go corruptConsistencyProof."""
    proof = [bytes.fromhex(h) for h in proof_hex]
    r1, r2 = KAT_ROOTS[size1 - 1], KAT_ROOTS[size2 - 1]
    probes = [
        (size1 - 1, size2, r1, r2, proof),
        (size1 + 1, size2, r1, r2, proof),
        (size1 ^ 2, size2, r1, r2, proof),
        (size1, size2 * 2, r1, r2, proof),
        (size1, size2 // 2, r1, r2, proof),
        (size1, size2, b"WrongRoot", r2, proof),
        (size1, size2, r1, b"WrongRoot", proof),
        (size1, size2, r2, r1, proof),
        (size1, size2, r1, r2, []),
        (size1, size2, r1, r2, [*proof, b""]),
        (size1, size2, r1, r2, [*proof, r1]),
        (size1, size2, r1, r2, [*proof, r2]),
        (size1, size2, r1, r2, [b"", *proof]),
        (size1, size2, r1, r2, [r1, *proof]),
        (size1, size2, r1, r2, [r2, *proof]),
        (size1, size2, r1, r2, [proof[0], *proof]),
        (size1, size2, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = _flip(bad[i], 4)
        probes.append((size1, size2, r1, r2, bad))
    for m, n, a, b, p in probes:
        with pytest.raises(ProofError):
            verify_consistency(m, n, a, b, p)


def test_consistency_edge_cases() -> None:
    """transparency-dev/merkle proof/verify_test.go TestVerifyConsistency, adapted.

    Differences, on purpose: for size 0 we also require the old root to be
    EMPTY_ROOT (the only root an empty tree has), where transparency-dev
    ignores it.
    """
    r1, r2 = SOME_HASH, _flip(SOME_HASH, 0)
    with pytest.raises(ProofError, match="root mismatch"):
        verify_consistency(0, 0, EMPTY_ROOT, r2, [])
    with pytest.raises(ProofError, match="root mismatch"):
        verify_consistency(1, 1, r1, r2, [])
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 1, EMPTY_ROOT, r2, [])  # the empty tree is a prefix of any tree
    verify_consistency(1, 1, r2, r2, [])
    with pytest.raises(ProofError, match="old root mismatch"):
        verify_consistency(0, 1, r1, r2, [])  # a size-0 checkpoint with a non-empty root
    with pytest.raises(ProofError, match="cannot shrink"):
        verify_consistency(1, 0, r1, r2, [])
    with pytest.raises(ProofError, match="cannot shrink"):
        verify_consistency(2, 1, r1, r2, [])
    with pytest.raises(ProofError, match="want 1"):
        verify_consistency(1, 2, r1, r2, [])  # RFC 9162 §2.1.4.2 step 1: empty proof
    with pytest.raises(ProofError, match="want 0"):
        verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    with pytest.raises(ProofError, match="want 0"):
        verify_consistency(0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    with pytest.raises(ProofError, match="want 0"):
        verify_consistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert KAT_TREE.consistency_proof(0, 8) == []
    assert KAT_TREE.consistency_proof(0, 0) == []
    assert KAT_TREE.consistency_proof(8, 8) == []


def test_inclusion_edge_cases() -> None:
    """transparency-dev/merkle proof/verify_test.go TestVerifyInclusion(SingleEntry)."""
    for index, size in ((0, 0), (1, 0), (2, 1)):
        with pytest.raises(ProofError, match=">= size"):
            verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)
    with pytest.raises(ProofError, match="empty tree includes nothing"):
        verify_inclusion(SOME_HASH, 0, 0, [], EMPTY_ROOT)
    h = leaf_hash(b"data")
    verify_inclusion(h, 0, 1, [], h)  # a 1-leaf tree's root is its leaf hash
    with pytest.raises(ProofError, match="leaf_hash is 0 bytes"):
        verify_inclusion(b"", 0, 1, [], h)
    with pytest.raises(ProofError, match="root is 0 bytes"):
        verify_inclusion(h, 0, 1, [], b"")
    with pytest.raises(ProofError, match="root mismatch"):
        verify_inclusion(h, 0, 1, [], SOME_HASH)
    with pytest.raises(ProofError, match="index 0 >= size 0"):
        KAT_TREE.inclusion_proof(0, 0)
    with pytest.raises(ProofError, match="index 8 >= size 8"):
        KAT_TREE.inclusion_proof(8, 8)


# --------------------------------------------------------------------------- node reads

# transparency-dev/merkle proof/proof_test.go TestInclusion: (size, index, node IDs
# (level, index) whose hashes make the proof; ephemeral nodes are rehashed from them).
KAT_INCLUSION_NODES: list[tuple[int, int, set[tuple[int, int]]]] = [
    (1, 0, set()),
    (2, 0, {(0, 1)}),
    (2, 1, {(0, 0)}),
    (3, 1, {(0, 0), (0, 2)}),
    (7, 0, {(0, 1), (1, 1), (0, 6), (1, 2)}),
    (7, 1, {(0, 0), (1, 1), (0, 6), (1, 2)}),
    (7, 2, {(0, 3), (1, 0), (0, 6), (1, 2)}),
    (7, 3, {(0, 2), (1, 0), (0, 6), (1, 2)}),
    (7, 4, {(0, 5), (0, 6), (2, 0)}),
    (7, 5, {(0, 4), (0, 6), (2, 0)}),
    (7, 6, {(1, 2), (2, 0)}),
    (4, 2, {(0, 3), (1, 0)}),
    (5, 3, {(0, 2), (1, 0), (0, 4)}),
    (6, 3, {(0, 2), (1, 0), (1, 2)}),
    (6, 4, {(0, 5), (2, 0)}),
    (15, 10, {(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)}),
    (31, 24, {(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)}),
    (95, 81, {(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)}),
]
# Same file, TestConsistency: (size1, size2, node IDs).
KAT_CONSISTENCY_NODES: list[tuple[int, int, set[tuple[int, int]]]] = [
    (1, 2, {(0, 1)}),
    (1, 4, {(0, 1), (1, 1)}),
    (1, 6, {(0, 1), (1, 1), (1, 2)}),
    (2, 3, {(0, 2)}),
    (2, 8, {(1, 1), (2, 1)}),
    (3, 7, {(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)}),
    (4, 7, {(0, 6), (1, 2)}),
    (5, 7, {(0, 4), (0, 5), (0, 6), (2, 0)}),
    (6, 7, {(1, 2), (0, 6), (2, 0)}),
    (7, 8, {(0, 6), (0, 7), (1, 2), (2, 0)}),
    *((n, n, set()) for n in (1, 2, 3, 4, 5, 7, 8)),
    (2, 4, {(1, 1)}),
    (3, 5, {(0, 2), (0, 3), (1, 0), (0, 4)}),
    (3, 6, {(0, 2), (0, 3), (1, 0), (1, 2)}),
    (4, 6, {(1, 2)}),
    (1, 7, {(0, 1), (1, 1), (0, 6), (1, 2)}),
    (10, 15, {(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)}),
    (24, 31, {(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)}),
    (81, 95, {(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)}),
]


def _recording() -> tuple[list[tuple[int, int]], Callable[[int, int], bytes]]:
    reads: list[tuple[int, int]] = []

    def get_node(level: int, index: int) -> bytes:
        reads.append((level, index))
        return TREE.get_node(level, index)

    return reads, get_node


@pytest.mark.parametrize(("size", "index", "nodes"), KAT_INCLUSION_NODES)
def test_inclusion_reads_exactly_the_reference_nodes(
    size: int, index: int, nodes: set[tuple[int, int]]
) -> None:
    reads, get_node = _recording()
    proof = inclusion_proof(index, size, get_node)
    assert set(reads) == nodes
    assert len(reads) == len(nodes)  # each node read once
    assert proof == _ref_path(index, LEAVES[:size])


@pytest.mark.parametrize(("size1", "size2", "nodes"), KAT_CONSISTENCY_NODES)
def test_consistency_reads_exactly_the_reference_nodes(
    size1: int, size2: int, nodes: set[tuple[int, int]]
) -> None:
    reads, get_node = _recording()
    proof = consistency_proof(size1, size2, get_node)
    assert set(reads) == nodes
    assert len(reads) == len(nodes)
    assert proof == _ref_proof(size1, LEAVES[:size2])


def test_root_reads_one_node_per_set_bit() -> None:
    reads, get_node = _recording()
    size = 0b10000101011  # 1067 = 1024 + 32 + 8 + 2 + 1
    assert root_from_nodes(size, get_node) == _ref_mth(LEAVES[:size])
    assert reads == [(10, 0), (5, 32), (3, 132), (1, 532), (0, 1066)]


# --------------------------------------------------------------------------- against the reference


@pytest.mark.parametrize("n", range(70))
def test_exhaustive_small_trees(n: int) -> None:
    d = LEAVES[:n]
    fresh = MemoryTree(d)
    assert fresh.size == n
    assert root(d) == _ref_mth(d) == fresh.root() == TREE.root(n)
    for m in range(n):
        assert fresh.inclusion_proof(m, n) == _ref_path(m, d) == TREE.inclusion_proof(m, n)
    for m in range(n + 1):
        assert fresh.consistency_proof(m, n) == _ref_proof(m, d)
        assert TREE.consistency_proof(m, n) == _ref_proof(m, d)


def test_every_stored_node_is_the_mth_of_its_range() -> None:
    size = 300
    tree = MemoryTree(LEAVES[:size])
    for level in range(10):
        for index in range(size >> level):
            lo = index << level
            assert tree.get_node(level, index) == _ref_mth(LEAVES[lo : lo + (1 << level)])
        with pytest.raises(ProofError, match="no full subtree"):
            tree.get_node(level, size >> level)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=40))
def test_root_of_arbitrary_entries(entries: list[bytes]) -> None:
    d = [_ref_leaf(e) for e in entries]
    assert [leaf_hash(e) for e in entries] == d
    assert root(d) == _ref_mth(d) == MemoryTree(d).root()


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_memory_tree_matches_reference(sizes: tuple[int, int]) -> None:
    n, k = sizes
    assert TREE.root(k) == _ref_mth(LEAVES[:k])
    assert TREE.root(n) == _ref_mth(LEAVES[:n])
    assert TREE.consistency_proof(k, n) == _ref_proof(k, LEAVES[:n])
    if k < n:
        assert TREE.inclusion_proof(k, n) == _ref_path(k, LEAVES[:n])


_sizes_and_index = st.integers(1, 300).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(0, n - 1))
)


@settings(max_examples=150, deadline=None)
@given(_sizes_and_index, st.data())
def test_inclusion_proofs_verify_and_any_bit_flip_fails(
    case: tuple[int, int], data: st.DataObject
) -> None:
    n, i = case
    rt = _ref_mth(LEAVES[:n])
    proof = TREE.inclusion_proof(i, n)
    lh = leaf_hash(ENTRIES[i])
    verify_inclusion(lh, i, n, proof, rt)

    def rejected(lh: bytes, i: int, n: int, proof: list[bytes], rt: bytes) -> None:
        with pytest.raises(ProofError):
            verify_inclusion(lh, i, n, proof, rt)

    bit = st.integers(0, 255)
    for j in range(len(proof)):  # one flipped bit in each proof hash
        rejected(lh, i, n, [*proof[:j], _flip(proof[j], data.draw(bit)), *proof[j + 1 :]], rt)
    rejected(lh, i, n, proof, _flip(rt, data.draw(bit)))
    rejected(_flip(lh, data.draw(bit)), i, n, proof, rt)
    entry = ENTRIES[i]
    rejected(
        leaf_hash(_flip(entry, data.draw(st.integers(0, 8 * len(entry) - 1)))), i, n, proof, rt
    )
    for b in range(max(n, i).bit_length() + 1):
        rejected(lh, i ^ (1 << b), n, proof, rt)  # another index: a different path
        other = n ^ (1 << b)
        # Against the real root of `other` leaves: accepted only if the proof is
        # literally the right proof for that size too.
        if other <= len(LEAVES) and i < other:
            accepted = _accepts(verify_inclusion, lh, i, other, proof, _ref_mth(LEAVES[:other]))
            assert accepted == (proof == _ref_path(i, LEAVES[:other]))
        # Against the old root: a proof does not carry its size, so exactly the
        # sizes whose audit path has the same shape compute the same root.
        accepted = _accepts(verify_inclusion, lh, i, other, proof, rt)
        same_shape = other > 0 and i < other and _ref_sides(i, other) == _ref_sides(i, n)
        assert accepted == same_shape


_old_and_new = st.integers(0, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=150, deadline=None)
@given(_old_and_new, st.data())
def test_consistency_proofs_verify_and_any_bit_flip_fails(
    case: tuple[int, int], data: st.DataObject
) -> None:
    m, n = case
    r1, r2 = _ref_mth(LEAVES[:m]), _ref_mth(LEAVES[:n])
    proof = TREE.consistency_proof(m, n)
    verify_consistency(m, n, r1, r2, proof)

    def rejected(m: int, n: int, r1: bytes, r2: bytes, proof: list[bytes]) -> None:
        with pytest.raises(ProofError):
            verify_consistency(m, n, r1, r2, proof)

    bit = st.integers(0, 255)
    for j in range(len(proof)):
        rejected(m, n, r1, r2, [*proof[:j], _flip(proof[j], data.draw(bit)), *proof[j + 1 :]])
    rejected(m, n, _flip(r1, data.draw(bit)), r2, proof)
    if m > 0 or n == 0:  # from the empty tree nothing constrains the new root
        rejected(m, n, r1, _flip(r2, data.draw(bit)), proof)
    # Other sizes, against the real roots of those sizes: accepted exactly when
    # this proof is also the right proof for them.
    for b in range(n.bit_length() + 1):
        for m2, n2 in ((m ^ (1 << b), n), (m, n ^ (1 << b))):
            if m2 == m and n2 == n:
                continue
            if max(m2, n2) > len(LEAVES):
                continue
            a, z = _ref_mth(LEAVES[:m2]), _ref_mth(LEAVES[:n2])
            accepted = _accepts(verify_consistency, m2, n2, a, z, proof)
            assert accepted == (m2 <= n2 and proof == _ref_proof(m2, LEAVES[:n2]))


# --------------------------------------------------------------------------- bad input


def test_hashes_must_be_32_bytes() -> None:
    good = KAT_TREE.inclusion_proof(2, 5)
    lh, rt = leaf_hash(KAT_ENTRIES[2]), KAT_ROOTS[4]
    for bad in (b"", b"\x00" * 31, b"\x00" * 33):
        with pytest.raises(ProofError, match=rf"proof\[1\] is {len(bad)} bytes"):
            verify_inclusion(lh, 2, 5, [good[0], bad, good[2]], rt)
        with pytest.raises(ProofError, match="leaf_hash is"):
            verify_inclusion(bad, 2, 5, good, rt)
        with pytest.raises(ProofError, match="root is"):
            verify_inclusion(lh, 2, 5, good, bad)
        with pytest.raises(ProofError, match="old_root is"):
            verify_consistency(2, 5, bad, rt, [])
        with pytest.raises(ProofError, match="new_root is"):
            verify_consistency(2, 5, rt, bad, [])
        with pytest.raises(ProofError, match="leaf_hashes"):
            root([lh, bad])
        with pytest.raises(ProofError, match="left is"):
            node_hash(bad, lh)
        with pytest.raises(ProofError, match="leaf_hash is"):
            MemoryTree().append(bad)
    with pytest.raises(ProofError, match="must be bytes"):
        verify_inclusion("ab" * 16, 0, 1, [], rt)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ProofError, match="not one string"):
        verify_inclusion(lh, 0, 2, lh, rt)  # type: ignore[arg-type]  # one hash, not a list
    with pytest.raises(ProofError, match="entry must be bytes"):
        leaf_hash("text")  # type: ignore[arg-type]  # wrong type on purpose


def test_nodes_from_a_store_must_be_32_bytes() -> None:
    with pytest.raises(ProofError, match=r"node \(level 0, index 1\) is 3 bytes"):
        inclusion_proof(0, 2, lambda level, index: b"bad")
    with pytest.raises(ProofError, match="is 3 bytes"):
        root_from_nodes(5, lambda level, index: b"bad")


def test_wrong_proof_length_is_named() -> None:
    proof = KAT_TREE.inclusion_proof(5, 8)
    lh = leaf_hash(KAT_ENTRIES[5])
    with pytest.raises(ProofError, match="got 2 hashes, want 3 for index 5 in a tree of size 8"):
        verify_inclusion(lh, 5, 8, proof[:2], KAT_ROOTS[7])
    cproof = KAT_TREE.consistency_proof(6, 8)
    with pytest.raises(ProofError, match="got 4 hashes, want 3 from size 6 to size 8"):
        verify_consistency(6, 8, KAT_ROOTS[5], KAT_ROOTS[7], [*cproof, SOME_HASH])


def test_which_root_failed_is_named() -> None:
    proof = KAT_TREE.consistency_proof(6, 8)
    with pytest.raises(ProofError, match="old root mismatch"):
        verify_consistency(6, 8, KAT_ROOTS[4], KAT_ROOTS[7], proof)
    with pytest.raises(ProofError, match="new root mismatch"):
        verify_consistency(6, 8, KAT_ROOTS[5], KAT_ROOTS[6], proof)
    with pytest.raises(ProofError, match="the log forked"):
        verify_consistency(8, 8, KAT_ROOTS[7], SOME_HASH, [])


@pytest.mark.parametrize("bad", [-1, 2**64, True, 1.0, "3", None])
def test_sizes_and_indices_must_be_uint64(bad: object) -> None:
    with pytest.raises(ProofError, match="size"):
        root_from_nodes(bad, KAT_TREE.get_node)  # type: ignore[arg-type]  # on purpose
    with pytest.raises(ProofError, match="index"):
        verify_inclusion(KAT_ROOTS[0], bad, 1, [], KAT_ROOTS[0])  # type: ignore[arg-type]
    with pytest.raises(ProofError, match="old_size"):
        verify_consistency(bad, 1, KAT_ROOTS[0], KAT_ROOTS[0], [])  # type: ignore[arg-type]
    with pytest.raises(ProofError, match="new_size"):
        consistency_proof(0, bad, KAT_TREE.get_node)  # type: ignore[arg-type]
    with pytest.raises(ProofError, match="level"):
        KAT_TREE.get_node(bad, 0)  # type: ignore[arg-type]


def test_memory_tree_refuses_sizes_it_does_not_have() -> None:
    with pytest.raises(ProofError, match="size 9 exceeds the tree's 8 leaves"):
        KAT_TREE.root(9)
    with pytest.raises(ProofError, match="size 9 exceeds"):
        KAT_TREE.inclusion_proof(0, 9)
    with pytest.raises(ProofError, match="new_size 9 exceeds"):
        KAT_TREE.consistency_proof(1, 9)
    with pytest.raises(ProofError, match="cannot shrink"):
        KAT_TREE.consistency_proof(5, 4)


def test_append_returns_the_index_and_grows_the_tree() -> None:
    tree = MemoryTree()
    roots = []
    for i, h in enumerate(LEAVES[:20]):
        assert tree.append(h) == i
        assert tree.size == i + 1
        roots.append(tree.root())
    assert roots == [_ref_mth(LEAVES[:k]) for k in range(1, 21)]
    assert [tree.root(k) for k in range(1, 21)] == roots  # earlier sizes stay provable


def test_errors_are_value_errors() -> None:
    assert issubclass(ProofError, ValueError)
    err = ProofError("why")
    assert err.reason == "why" == str(err)


def test_ledger_imports_only_the_standard_library() -> None:
    """DESIGN §4: truce.ledger imports nothing from the rest of truce (vendorable alone)."""
    package = Path(truce.ledger.__file__).parent
    for name in ("__init__.py", "_errors.py", "merkle.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert module.startswith("truce.ledger") or top in sys.stdlib_module_names, (
                    f"{name} imports {module}"
                )
