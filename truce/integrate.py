"""Integration: fold newly stored log entries into the Merkle tree and sign a checkpoint.

DESIGN §3: *integrate: Merkle tree → signed checkpoint*. Appending a record
makes it durable with a sequence number (:mod:`truce.intake.gate`);
integration, run on demand or every few seconds, hashes the entries stored
since the last checkpoint (RFC 6962 leaves), adds the full subtrees they
complete, computes the new root, checks that it extends the previous
checkpoint, and signs a C2SP ``tlog-checkpoint`` note — all stored in one
transaction (:meth:`truce.store.contract.Store.integrate`).

The mission never signs two inconsistent checkpoints: nodes are only ever
added (a full subtree's hash never changes), the store refuses a checkpoint
that is not larger than the last, and before signing, the new root is proven
consistent with the previous one with the same RFC 9162 proof a party would
check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from truce.errors import NotFound, StorageError, ValidationError
from truce.ledger import ProofError, merkle
from truce.ledger.checkpoint import Checkpoint, sign_checkpoint
from truce.ledger.note import Signer as NoteSigner
from truce.store import Store

__all__ = ["Integrator", "StoreTree", "TreeHead"]

#: Entries folded into one checkpoint at most (bounds memory; larger backlogs
#: are integrated as a series of checkpoints).
MAX_STEP = 65_536


@dataclass(frozen=True)
class TreeHead:
    """A signed checkpoint as stored: size, root hash and the signed note bytes."""

    size: int
    root: bytes
    note: bytes


class StoreTree:
    """Reads the tree's full-subtree hashes from a store, plus any not yet stored."""

    def __init__(self, store: Store, pending: dict[tuple[int, int], bytes] | None = None):
        self._store = store
        self._pending = pending if pending is not None else {}
        self._cache: dict[tuple[int, int], bytes] = {}

    def get_node(self, level: int, index: int) -> bytes:
        key = (level, index)
        found = self._pending.get(key) or self._cache.get(key)
        if found is None:
            found = self._store.tree_nodes([key]).get(key)
            if found is None:
                raise StorageError(f"tree node {key} is missing from the store")
            self._cache[key] = found
        return found

    def root(self, size: int) -> bytes:
        return merkle.root_from_nodes(size, self.get_node)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_proof(index, size, self.get_node)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        return merkle.consistency_proof(old, new, self.get_node)


class Integrator:
    """Integrates a store's log under ``origin``, signing with the mission's log key."""

    def __init__(
        self,
        store: Store,
        origin: str,
        signer: NoteSigner,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self.origin = origin
        self._signer = signer
        self._clock = clock

    def latest(self) -> TreeHead:
        """The latest signed checkpoint (NotFound before the first integration)."""
        size, root, note = self._store.checkpoint()
        return TreeHead(size, root, note)

    def integrate(self) -> TreeHead:
        """Fold every stored entry into the tree; returns the latest checkpoint.

        Signs nothing when there is nothing new (the latest checkpoint stands).
        """
        head = self._latest_or_none()
        while True:
            old = head.size if head else 0
            new = min(self._store.size(), old + MAX_STEP)
            if head is not None and new == old:
                return head
            head = self._step(head, new)

    def _latest_or_none(self) -> TreeHead | None:
        try:
            return self.latest()
        except NotFound:
            return None

    def _step(self, head: TreeHead | None, new: int) -> TreeHead:
        old = head.size if head else 0
        pending: dict[tuple[int, int], bytes] = {}
        tree = StoreTree(self._store, pending)
        for start in range(old, new, 4096):
            for offset, entry in enumerate(self._store.entries(start, min(start + 4096, new))):
                _add_leaf(start + offset, merkle.leaf_hash(entry), tree, pending)
        root = tree.root(new)
        if head is not None:
            try:
                proof = tree.consistency_proof(old, new)
                merkle.verify_consistency(old, new, head.root, root, proof)
            except ProofError as exc:  # the stored tree does not extend the last checkpoint
                raise StorageError(
                    f"refusing to sign: the tree at size {new} is not consistent with the "
                    f"checkpoint at size {old} ({exc})"
                ) from exc
        try:
            note = sign_checkpoint(Checkpoint(self.origin, new, root), self._signer)
        except ValueError as exc:
            raise ValidationError(f"cannot sign a checkpoint: {exc}", field="log_origin") from exc
        signed_at = self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        nodes = [(level, idx, digest) for (level, idx), digest in sorted(pending.items())]
        self._store.integrate(nodes, size=new, root=root, note=note, signed_at=signed_at)
        return TreeHead(new, root, note)


def _add_leaf(
    index: int, digest: bytes, tree: StoreTree, pending: dict[tuple[int, int], bytes]
) -> None:
    """Store leaf ``index`` and every full subtree it completes (its left siblings exist)."""
    level, idx = 0, index
    pending[(0, index)] = digest
    while idx % 2 == 1:
        left = tree.get_node(level, idx - 1)
        digest = merkle.node_hash(left, digest)
        level, idx = level + 1, idx // 2
        pending[(level, idx)] = digest
