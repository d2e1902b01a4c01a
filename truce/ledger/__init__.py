"""The transparency log's pure core: Merkle trees, proofs, checkpoints, tiles.

* :mod:`truce.ledger.merkle` — RFC 6962 hashing, roots, inclusion and
  consistency proofs (RFC 9162 §2.1.3-2.1.4), re-exported here;
* :mod:`truce.ledger.note` — C2SP ``signed-note`` (Ed25519, keys and key IDs as
  golang.org/x/mod/sumdb/note defines them);
* :mod:`truce.ledger.checkpoint` — C2SP ``tlog-checkpoint``;
* :mod:`truce.ledger.tiles` — the C2SP ``tlog-tiles`` layout (path math, no I/O).

The package imports nothing from the rest of ``truce`` — only the standard
library and PyNaCl — and does no I/O, so a party can vendor it alone to verify
the mission's log (``tests/ledger/test_isolation.py`` checks this).

Example::

    >>> from truce.ledger import MemoryTree, leaf_hash, verify_consistency
    >>> tree = MemoryTree(leaf_hash(e) for e in (b"a", b"b", b"c", b"d", b"e"))
    >>> old, new = tree.root(3), tree.root(5)
    >>> verify_consistency(3, 5, old, new, tree.consistency_proof(3, 5))  # None: consistent
"""

from __future__ import annotations

from truce.ledger import checkpoint, note, tiles
from truce.ledger._errors import ProofError
from truce.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    MAX_TREE_SIZE,
    MemoryTree,
    NodeReader,
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

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "MemoryTree",
    "NodeReader",
    "ProofError",
    "checkpoint",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "note",
    "root",
    "root_from_inclusion",
    "root_from_nodes",
    "tiles",
    "verify_consistency",
    "verify_inclusion",
]
