"""RFC 6962 Merkle trees: hashing, roots, inclusion and consistency proofs.

Everything here follows RFC 6962 §2.1 and its successor RFC 9162 §2.1 to the
byte, so that proofs interoperate with the Go reference implementations
(``golang.org/x/mod/sumdb/tlog``, ``github.com/transparency-dev/merkle``):

- leaf hash ``SHA-256(0x00 || entry)``, interior node ``SHA-256(0x01 || l || r)``,
  empty tree ``SHA-256("")`` (RFC 6962 §2.1, RFC 9162 §2.1.1);
- the tree of ``n`` leaves splits at ``k``, the largest power of two < ``n``.

**Storage model.** Proof generation reads *nodes*, never leaves: a node
accessor ``get_node(level, index)`` returns the hash of the complete subtree of
``2**level`` leaves that starts at leaf ``index * 2**level``. Only such full
subtrees are ever stored (the model of Go's ``tlog`` and of C2SP
``tlog-tiles``); the hash of a partial right edge is recomputed from the
O(log n) full subtrees that cover it. A root, an inclusion proof or a
consistency proof therefore costs O(log n) node reads and hashes, whatever the
size of the log. :class:`MemoryTree` is an append-only in-memory node store.

**Verification** implements RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, after
checking every input first so that a failure names its exact cause. All
failures raise :class:`~truce.ledger.ProofError`.

**Tree size 0.** The RFCs define consistency proofs only for
``0 < old_size < new_size`` (RFC 6962 §2.1.2, RFC 9162 §2.1.4.1–2) and Go's
``tlog.ProveTree``/``CheckTree`` refuse ``old_size == 0``. The current
``transparency-dev/merkle`` ``VerifyConsistency`` instead accepts ``0 -> n``
with an empty proof, because the empty tree is a prefix of every tree. We
follow transparency-dev (a party whose last remembered checkpoint is the empty
log must be able to move on without a special case), and are stricter in one
point: the old root must be :data:`EMPTY_ROOT`, the only root a tree of size 0
can have. Inclusion in a tree of size 0 is always refused.

**What a proof does not bind.** A proof is a list of hashes; it does not carry
the tree size. The RFC algorithms compute the same root for every
``(index, size)`` pair whose audit path has the same shape (e.g. leaf 0 in
trees of 5 and of 7 leaves), so a verifier must take ``size`` and ``root``
together from one signed checkpoint, never from separate sources.

Example::

    >>> from truce.ledger import MemoryTree, leaf_hash, verify_inclusion
    >>> tree = MemoryTree()
    >>> for entry in (b"a", b"b", b"c"):
    ...     _ = tree.append(leaf_hash(entry))
    >>> proof = tree.inclusion_proof(1, 3)
    >>> verify_inclusion(leaf_hash(b"b"), 1, 3, proof, tree.root(3))  # None: it holds
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from truce.ledger._errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "MemoryTree",
    "NodeReader",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion",
    "root_from_nodes",
    "verify_consistency",
    "verify_inclusion",
]

#: Size in bytes of every hash in the tree (SHA-256).
HASH_SIZE = 32

#: Tree sizes and indices are ``uint64`` on the wire (RFC 9162 §4.5, C2SP checkpoints).
MAX_TREE_SIZE = 2**64 - 1

#: Root of the empty tree: ``SHA-256("")`` (RFC 6962 §2.1: ``MTH({}) = SHA-256()``).
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: ``get_node(level, index)``: hash of the full subtree of ``2**level`` leaves
#: starting at leaf ``index * 2**level``.
NodeReader = Callable[[int, int], bytes]

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


# --------------------------------------------------------------------------- hashing


def leaf_hash(entry: bytes) -> bytes:
    """Return ``SHA-256(0x00 || entry)``, the RFC 6962 §2.1 hash of one log entry."""
    if not isinstance(entry, bytes | bytearray | memoryview):
        raise ProofError(f"entry must be bytes, not {type(entry).__name__}")
    return _sha256(_LEAF_PREFIX + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return ``SHA-256(0x01 || left || right)`` (RFC 6962 §2.1) of two 32-byte hashes.

    Raises :class:`ProofError` if either child is not a 32-byte hash.
    """
    return _node(_hash_arg(left, "left"), _hash_arg(right, "right"))


def _node(left: bytes, right: bytes) -> bytes:
    return _sha256(_NODE_PREFIX + left + right).digest()


# --------------------------------------------------------------------------- roots


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH, the Merkle Tree Hash (RFC 6962 §2.1) of ``leaf_hashes``.

    Works for any number of leaves, including 0 (:data:`EMPTY_ROOT`) and 1 (the
    leaf hash itself). The inputs are leaf hashes (see :func:`leaf_hash`), not
    entries. Costs ``len(leaf_hashes) - 1`` node hashes. Raises
    :class:`ProofError` if a leaf hash is not 32 bytes.
    """
    level = [_hash_arg(h, f"leaf_hashes[{i}]") for i, h in enumerate(leaf_hashes)]
    if not level:
        return EMPTY_ROOT
    # Pair up level by level; a last node without a right sibling is carried up
    # unchanged, which yields exactly the RFC's "largest power of two < n" split.
    while len(level) > 1:
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_from_nodes(size: int, get_node: NodeReader) -> bytes:
    """Return the root of the tree of the first ``size`` leaves, read from full subtrees.

    Reads one node per set bit of ``size`` (at most 64) and hashes them right to
    left (RFC 6962 §2.1). ``size`` 0 gives :data:`EMPTY_ROOT`. Raises
    :class:`ProofError` for a bad size or a node that is not 32 bytes.
    """
    _check_uint(size, "size")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, get_node)


def _range_hash(lo: int, hi: int, get_node: NodeReader) -> bytes:
    """MTH of leaves ``[lo, hi)`` where ``lo`` is aligned to the largest power of two <= hi - lo.

    The range splits into full subtrees of decreasing size, left to right
    (Go ``tlog.subTreeIndex``); MTH folds them right to left.
    """
    nodes: list[bytes] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo & ((1 << level) - 1):  # pragma: no cover - callers guarantee alignment
            raise ProofError(f"internal error: range [{lo}, {hi}) is not aligned")
        nodes.append(_read(get_node, level, lo >> level))
        lo += 1 << level
    h = nodes[-1]
    for left in reversed(nodes[:-1]):
        h = _node(left, h)
    return h


# --------------------------------------------------------------------------- proof generation


def inclusion_proof(index: int, size: int, get_node: NodeReader) -> list[bytes]:
    """Return the audit path ``PATH(index, D[size])`` (RFC 6962 §2.1.1, RFC 9162 §2.1.3.1).

    The hashes are ordered from the leaf's sibling up to the child of the root,
    exactly as the RFC and the Go implementations emit them. Reads O(log size)
    nodes through ``get_node`` and never a leaf range. Raises
    :class:`ProofError` unless ``0 <= index < size``.
    """
    _check_uint(index, "index")
    _check_uint(size, "size")
    if index >= size:
        raise ProofError(_index_reason(index, size))
    return _path(0, index, size, get_node)


def consistency_proof(old_size: int, new_size: int, get_node: NodeReader) -> list[bytes]:
    """Return ``PROOF(old_size, D[new_size])`` (RFC 6962 §2.1.2, RFC 9162 §2.1.4.1).

    Empty when ``old_size == new_size`` (``SUBPROOF(m, D[m], true) = {}``) and
    when ``old_size == 0`` (see the module docstring). Otherwise the proof is
    the hash of the largest full subtree ending at ``old_size`` (left out when
    ``old_size`` is a power of two: the verifier has it as the old root),
    followed by that node's audit path in the tree of ``new_size`` — the same
    list the RFC's recursive ``SUBPROOF`` yields, computed from O(log n) node
    reads. Raises :class:`ProofError` unless ``0 <= old_size <= new_size``.
    """
    _check_uint(old_size, "old_size")
    _check_uint(new_size, "new_size")
    if old_size > new_size:
        raise ProofError(f"old_size {old_size} > new_size {new_size}: a log cannot shrink")
    if old_size == 0 or old_size == new_size:
        return []
    level = _trailing_zeros(old_size)
    index = (old_size - 1) >> level
    proof = [] if index == 0 else [_read(get_node, level, index)]
    proof.extend(_path(level, index, new_size, get_node))
    return proof


def _path(level: int, index: int, size: int, get_node: NodeReader) -> list[bytes]:
    """Audit path of the full node ``(level, index)`` in the tree of ``size`` leaves.

    Walks up from the node; at each level the sibling is a stored full node
    (left of the path, or right and complete), a partial right edge recomputed
    from full nodes, or absent (beyond ``size``: the node is carried up
    unchanged, as in the RFC's unbalanced splits).
    """
    proof: list[bytes] = []
    while (1 << level) < size:  # the node is the root once it spans the tree
        sibling = index ^ 1
        if sibling < index:
            proof.append(_read(get_node, level, sibling))
        else:
            start = sibling << level
            if start < size:
                proof.append(_range_hash(start, min(start + (1 << level), size), get_node))
        index >>= 1
        level += 1
    return proof


# --------------------------------------------------------------------------- verification


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Return the root that ``proof`` implies for leaf ``index`` of a tree of ``size`` leaves.

    Runs RFC 9162 §2.1.3.2 steps 1-4 and the ``sn == 0`` check of step 5; the
    caller compares the result with a trusted root (:func:`verify_inclusion`
    does). Raises :class:`ProofError` naming the cause: ``index >= size``, a
    hash that is not 32 bytes, or a proof of the wrong length.
    """
    leaf = _hash_arg(leaf_hash, "leaf_hash")
    _check_uint(index, "index")
    _check_uint(size, "size")
    path = _proof_arg(proof)
    # Step 1: leaf_index must be < tree_size.
    if index >= size:
        raise ProofError(_index_reason(index, size))
    want = _inclusion_length(index, size)
    if len(path) != want:
        raise ProofError(
            f"wrong proof length: got {len(path)} hashes, want {want} "
            f"for index {index} in a tree of size {size}"
        )
    # Step 2: fn = leaf_index, sn = tree_size - 1.  Step 3: r = hash.
    fn, sn = index, size - 1
    r = leaf
    # Step 4: for each p in inclusion_path.
    for p in path:
        if sn == 0:  # 4a (unreachable after the length check; kept as the RFC states it)
            raise ProofError("proof has more hashes than the tree's height")
        if fn & 1 or fn == sn:  # 4b
            r = _node(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1  # 4c
        sn >>= 1
    # Step 5 (first half): sn must be 0.
    if sn != 0:  # pragma: no cover - excluded by the length check
        raise ProofError("proof has fewer hashes than the tree's height")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    RFC 9162 §2.1.3.2. Returns ``None`` when the proof holds; raises
    :class:`ProofError` otherwise, saying why (index >= size, which hash is not
    32 bytes, wrong proof length, or computed root differs from ``root``).
    ``size`` and ``root`` must come from the same signed checkpoint (see the
    module docstring).
    """
    expected = _hash_arg(root, "root")
    computed = root_from_inclusion(leaf_hash, index, size, proof)
    if computed != expected:
        raise ProofError(
            f"root mismatch: the proof for index {index} in a tree of size {size} "
            f"gives {computed.hex()}, the checkpoint says {expected.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (``old_size``, ``old_root``) is a prefix of (``new_size``, ``new_root``).

    RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. Also accepts, with an
    empty proof only: ``old_size == new_size`` with equal roots (RFC 6962
    §2.1.2, ``SUBPROOF(m, D[m], true) = {}``), and ``old_size == 0`` with
    ``old_root == EMPTY_ROOT`` (see the module docstring). Returns ``None``
    when consistent; raises :class:`ProofError` naming the cause otherwise
    (old_size > new_size, hash not 32 bytes, wrong proof length, old or new
    root not reproduced).
    """
    _check_uint(old_size, "old_size")
    _check_uint(new_size, "new_size")
    first_hash = _hash_arg(old_root, "old_root")
    second_hash = _hash_arg(new_root, "new_root")
    path = _proof_arg(proof)
    if old_size > new_size:
        raise ProofError(f"old_size {old_size} > new_size {new_size}: a log cannot shrink")
    if old_size == 0:
        if path:
            raise ProofError(
                f"wrong proof length: got {len(path)} hashes, want 0 from the empty tree"
            )
        if first_hash != EMPTY_ROOT:
            raise ProofError(
                f"old root mismatch: a tree of size 0 has root {EMPTY_ROOT.hex()}, "
                f"not {first_hash.hex()}"
            )
        if new_size == 0 and second_hash != EMPTY_ROOT:
            raise ProofError(
                f"new root mismatch: a tree of size 0 has root {EMPTY_ROOT.hex()}, "
                f"not {second_hash.hex()}"
            )
        return
    if old_size == new_size:
        if path:
            raise ProofError(
                f"wrong proof length: got {len(path)} hashes, want 0 for equal sizes {old_size}"
            )
        if first_hash != second_hash:
            raise ProofError(
                f"root mismatch: two different roots for size {old_size} "
                f"({first_hash.hex()} and {second_hash.hex()}): the log forked"
            )
        return
    want = _consistency_length(old_size, new_size)
    if len(path) != want:
        raise ProofError(
            f"wrong proof length: got {len(path)} hashes, want {want} "
            f"from size {old_size} to size {new_size}"
        )
    first, second = old_size, new_size
    # Step 1: an empty consistency_path fails (excluded above: want >= 1 here).
    # Step 2: if first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # Step 3: fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # Step 4: if LSB(fn) is set, right-shift fn and sn until it is not.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5: fr = sr = consistency_path[0].
    fr = sr = path[0]
    # Step 6: for each subsequent c.
    for c in path[1:]:
        if sn == 0:  # 6a (unreachable after the length check; kept as the RFC states it)
            raise ProofError("proof has more hashes than the trees' heights allow")
        if fn & 1 or fn == sn:  # 6b
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1  # 6c
        sn >>= 1
    # Step 7: fr == first_hash, sr == second_hash, sn == 0.
    if sn != 0:  # pragma: no cover - excluded by the length check
        raise ProofError("proof has fewer hashes than the trees' heights require")
    if fr != first_hash:
        raise ProofError(
            f"old root mismatch: the proof gives {fr.hex()} for size {old_size}, "
            f"the old checkpoint says {first_hash.hex()}"
        )
    if sr != second_hash:
        raise ProofError(
            f"new root mismatch: the proof gives {sr.hex()} for size {new_size}, "
            f"the new checkpoint says {second_hash.hex()}"
        )


def _inclusion_length(index: int, size: int) -> int:
    """Length of ``PATH(index, D[size])``: hashes below the fork from the right edge + above it.

    Same decomposition as transparency-dev ``decompInclProof``: ``inner`` levels
    where the paths to ``index`` and ``size - 1`` differ, then one hash per
    left sibling on the shared right-edge path.
    """
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _consistency_length(old_size: int, new_size: int) -> int:
    """Length of ``PROOF(old_size, D[new_size])`` for ``0 < old_size < new_size``."""
    shift = _trailing_zeros(old_size)
    inner = (((old_size - 1) ^ (new_size - 1)).bit_length()) - shift
    border = ((old_size - 1) >> (inner + shift)).bit_count()
    seed = 0 if old_size == 1 << shift else 1
    return seed + inner + border


# --------------------------------------------------------------------------- the node store


class MemoryTree:
    """An append-only in-memory store of every full-subtree hash, by ``(level, index)``.

    ``append`` costs one leaf write plus, amortised, one node hash; memory is
    about two 32-byte hashes per leaf (one contiguous ``bytearray`` per level,
    no per-node Python object). ``root(k)`` for any ``k <= size`` and both kinds
    of proof for any earlier sizes cost O(log size) node reads. Not thread-safe:
    guard it with a lock if shared.
    """

    __slots__ = ("_levels", "_size")

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        """Create a tree, optionally appending ``leaf_hashes`` in order."""
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> int:
        """Append one leaf hash and return its index (the previous :attr:`size`).

        Raises :class:`ProofError` if ``leaf_hash`` is not 32 bytes.
        """
        leaf = _hash_arg(leaf_hash, "leaf_hash")
        index = self._size
        levels = self._levels
        levels[0] += leaf
        # Every completed pair of siblings gives a new full node one level up:
        # the last 64 bytes of a level are then exactly left || right.
        i, level = index, 0
        while i & 1:
            parent = _sha256(_NODE_PREFIX + levels[level][-2 * HASH_SIZE :]).digest()
            level += 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += parent
            i >>= 1
        self._size = index + 1
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append each of ``leaf_hashes`` in order (see :meth:`append`)."""
        for h in leaf_hashes:
            self.append(h)

    def get_node(self, level: int, index: int) -> bytes:
        """Return the hash of the full subtree of ``2**level`` leaves from leaf ``index << level``.

        Level 0 holds the leaf hashes. Raises :class:`ProofError` if that
        subtree is not complete yet (or the arguments are negative).
        """
        _check_uint(level, "level")
        _check_uint(index, "index")
        if level < len(self._levels):
            start = index * HASH_SIZE
            data = self._levels[level]
            if start + HASH_SIZE <= len(data):
                return bytes(data[start : start + HASH_SIZE])
        raise ProofError(
            f"no full subtree at level {level}, index {index} in a tree of size {self._size}"
        )

    def root(self, size: int | None = None) -> bytes:
        """Return the root of the first ``size`` leaves (default: all), O(log size) reads."""
        return root_from_nodes(self._checked_size(size, "size"), self.get_node)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the audit path of leaf ``index`` in the tree of the first ``size`` leaves.

        See :func:`inclusion_proof`; also raises :class:`ProofError` if ``size``
        exceeds :attr:`size`.
        """
        return inclusion_proof(index, self._checked_size(size, "size"), self.get_node)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """Return the consistency proof from ``old_size`` to ``new_size`` leaves.

        See :func:`consistency_proof`; also raises :class:`ProofError` if
        ``new_size`` exceeds :attr:`size`.
        """
        new = self._checked_size(new_size, "new_size")
        return consistency_proof(old_size, new, self.get_node)

    def _checked_size(self, size: int | None, name: str) -> int:
        if size is None:
            return self._size
        _check_uint(size, name)
        if size > self._size:
            raise ProofError(f"{name} {size} exceeds the tree's {self._size} leaves")
        return size


# --------------------------------------------------------------------------- input checks


def _hash_arg(value: object, name: str) -> bytes:
    if not isinstance(value, bytes | bytearray):
        raise ProofError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} is {len(value)} bytes, a SHA-256 hash is {HASH_SIZE}")
    return bytes(value)


def _proof_arg(proof: Sequence[bytes]) -> list[bytes]:
    if isinstance(proof, bytes | bytearray | str):
        raise ProofError("proof must be a sequence of 32-byte hashes, not one string")
    return [_hash_arg(p, f"proof[{i}]") for i, p in enumerate(proof)]


def _read(get_node: NodeReader, level: int, index: int) -> bytes:
    return _hash_arg(get_node(level, index), f"node (level {level}, index {index})")


def _check_uint(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProofError(f"{name} must be an integer, not {type(value).__name__}")
    if not 0 <= value <= MAX_TREE_SIZE:
        raise ProofError(f"{name} {value} is outside 0..2**64-1")


def _index_reason(index: int, size: int) -> str:
    if size == 0:
        return f"index {index} >= size 0: the empty tree includes nothing"
    return f"index {index} >= size {size}"


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1
