"""A client that verifies a published tlog-tiles log: checkpoints, entries, proofs.

:class:`LogClient` reads a log through a fetcher (:mod:`truce.verify.fetch`) and
trusts nothing it reads until it has checked it against a checkpoint signed by
one of the log's keys:

* the ``checkpoint`` must be a C2SP ``signed-note`` by a log key, of the
  expected origin (:func:`truce.ledger.checkpoint.open_checkpoint`);
* a tile is *authenticated* before any hash is used: the rightmost tiles by
  recomputing the checkpoint's root from them, every full tile by hashing it to
  the node its parent tile holds (the method of Go's ``tlog.TileHashReader``);
* inclusion and consistency proofs are computed from authenticated tiles
  (:func:`truce.ledger.inclusion_proof`, :func:`truce.ledger.consistency_proof`)
  and verified against the signed roots (RFC 9162 §2.1.3.2, §2.1.4.2).

Because the proof hashes are authenticated against the newer checkpoint, a
consistency failure can only mean that the log signed two checkpoints that
cannot both be true: :class:`~truce.verify.InconsistentLogError` then carries
both signed notes and the proof. A party keeps the last checkpoint it saw
(``known``) and :meth:`LogClient.checkpoint` checks each new one against it.

Example::

    client = LogClient(directory_fetcher("public/log"), "mission.example/log", [vkey],
                       known=Path("last-checkpoint").read_bytes())
    cp = client.checkpoint()          # raises InconsistentLogError on a rollback or fork
    client.prove_inclusion(entry_bytes, 41, cp)
    Path("last-checkpoint").write_bytes(cp.note)

Depends only on :mod:`truce.ledger` and the standard library.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from truce.ledger import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from truce.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from truce.ledger.merkle import root_from_nodes
from truce.ledger.note import NoteError, NoteVerifier, Verifier
from truce.ledger.tiles import (
    CHECKPOINT_PATH,
    TILE_WIDTH,
    bundle_for_entry,
    node_tile,
    tile_path,
    tile_width,
)
from truce.verify._errors import InconsistentLogError, MissingFile, VerificationFailed
from truce.verify._tiles import HASH, TileSource, leaf_hashes, subtree_hash
from truce.verify.fetch import Fetcher

__all__ = ["LogClient", "SignedCheckpoint", "load_verifiers"]


@dataclass(frozen=True)
class SignedCheckpoint(Checkpoint):
    """A :class:`~truce.ledger.checkpoint.Checkpoint` with the signed note it came from.

    ``note`` is the evidence to keep (the bytes as served, signatures included).
    A checkpoint handed to :class:`LogClient` without a note gets its unsigned
    text as ``note``.
    """

    note: bytes = field(default=b"", repr=False, compare=False)


def load_verifiers(verifiers: Iterable[NoteVerifier | str]) -> list[NoteVerifier]:
    """Verifier objects from verifiers and ``vkey`` strings (``name+hexid+base64``).

    Raises :class:`VerificationFailed` (``vkey``) for a malformed key string.
    """
    out: list[NoteVerifier] = []
    for v in verifiers:
        if isinstance(v, str):
            try:
                out.append(Verifier.from_vkey(v))
            except NoteError as exc:
                raise VerificationFailed("vkey", f"{v!r}: {exc}") from None
        else:
            out.append(v)
    if not out:
        raise VerificationFailed("vkey", "at least one verifier key of the log is needed")
    return out


class _Tree:
    """Nodes of the tree of ``size`` leaves read from tiles, authenticated against ``root``.

    With ``root=None`` nothing is authenticated (raw reads).
    """

    def __init__(self, source: TileSource, size: int, root: bytes | None) -> None:
        self.source = source
        self.size = size
        self.root = root
        self.authentic: set[tuple[int, int]] = set()
        self.root_checked = root is None

    def _raw(self, level: int, index: int) -> bytes:
        return self.source.tile(level, index, tile_width(level, index, self.size))

    def verify_root(self) -> None:
        """Check that the rightmost tiles reproduce ``root``; they are then authentic."""
        if self.root_checked:
            return
        touched: list[tuple[int, int]] = []

        def read(level: int, index: int) -> bytes:
            t_level, t_index, n_level, n_index = node_tile(level, index)
            touched.append((t_level, t_index))
            data = self._raw(t_level, t_index)
            return subtree_hash(
                data[(n_index << n_level) * HASH : ((n_index + 1) << n_level) * HASH]
            )

        computed = root_from_nodes(self.size, read) if self.size else EMPTY_ROOT
        if computed != self.root:
            paths = ", ".join(
                tile_path(lv, ix, tile_width(lv, ix, self.size)) for lv, ix in sorted(set(touched))
            )
            raise VerificationFailed(
                "checkpoint",
                f"root hash differs from the tiles: {paths or 'no tiles'} give "
                f"{computed.hex()}, the checkpoint of size {self.size} says "
                f"{(self.root or b'').hex()}",
            )
        self.root_checked = True
        self.authentic.update(touched)

    def tile(self, level: int, index: int) -> bytes:
        """Tile ``(level, index)`` at this size, authenticated unless ``root`` is None."""
        data = self._raw(level, index)
        if self.root is None or (level, index) in self.authentic:
            return data
        if len(data) < TILE_WIDTH * HASH:
            self.verify_root()  # every partial tile is on the right edge
            if (level, index) not in self.authentic:  # pragma: no cover - see verify_root
                raise VerificationFailed(tile_path(level, index), "not on the tree's right edge")
            return data
        parent = self.tile(level + 1, index // TILE_WIDTH)
        pos = index % TILE_WIDTH
        if subtree_hash(data) != parent[pos * HASH : (pos + 1) * HASH]:
            p_path = tile_path(level + 1, index // TILE_WIDTH, len(parent) // HASH)
            raise VerificationFailed(
                tile_path(level, index),
                f"does not hash to hash {pos} of {p_path}, which the checkpoint authenticates",
            )
        self.authentic.add((level, index))
        return data

    def node(self, level: int, index: int) -> bytes:
        """The hash of the full subtree of ``2**level`` leaves from leaf ``index << level``."""
        if level < 0 or index < 0 or (index + 1) << level > self.size:
            raise ValueError(
                f"node ({level}, {index}) is not a complete subtree of a tree of size {self.size}"
            )
        t_level, t_index, n_level, n_index = node_tile(level, index)
        data = self.tile(t_level, t_index)
        return subtree_hash(data[(n_index << n_level) * HASH : ((n_index + 1) << n_level) * HASH])


class LogClient:
    """Verify the log ``origin`` served by ``fetch`` against its keys ``verifiers``.

    ``verifiers`` are note verifiers or ``vkey`` strings of the log's keys.
    ``known`` is the last checkpoint the caller saw (its signed note), if any;
    :meth:`checkpoint` refuses any later checkpoint that is not consistent with
    it. Not thread-safe.

    Every method raises :class:`VerificationFailed` naming what is wrong,
    :class:`InconsistentLogError` for a rollback or a fork, and lets
    :class:`~truce.verify.FetchError` through when a file cannot be fetched for
    another reason than its absence.
    """

    def __init__(
        self,
        fetch: Fetcher,
        origin: str,
        verifiers: Iterable[NoteVerifier | str],
        *,
        known: bytes | Checkpoint | None = None,
        cache_tiles: int = 512,
    ) -> None:
        self.origin = origin
        self.verifiers = load_verifiers(verifiers)
        self._fetch = fetch
        self._source = TileSource(fetch, cache_size=cache_tiles)
        self._trees: OrderedDict[tuple[int, bytes | None], _Tree] = OrderedDict()
        self._known = None if known is None else self._checkpoint_arg(known)

    @property
    def known(self) -> SignedCheckpoint | None:
        """The latest checkpoint verified by :meth:`checkpoint` (or given as ``known``)."""
        return self._known

    def open(self, note: bytes) -> SignedCheckpoint:
        """Verify a signed checkpoint note of this log and return it.

        Raises :class:`VerificationFailed` (``checkpoint``) if it is malformed, not
        signed by a log key, carries a bad signature by a known key, or is of
        another origin.
        """
        try:
            cp = open_checkpoint(note, self.origin, self.verifiers)
        except (NoteError, CheckpointError) as exc:
            raise VerificationFailed("checkpoint", str(exc)) from None
        return SignedCheckpoint(cp.origin, cp.size, cp.root_hash, cp.extensions, note=note)

    def checkpoint(self) -> SignedCheckpoint:
        """Fetch, verify and remember the log's latest checkpoint.

        Guarantees the returned checkpoint is signed by a log key, that the
        published tiles reproduce its root, and that it is consistent with
        :attr:`known` (which it then replaces). Raises
        :class:`InconsistentLogError` if it is older than :attr:`known` (rollback)
        or not an extension of it (fork).
        """
        try:
            note = self._fetch(CHECKPOINT_PATH)
        except (MissingFile, FileNotFoundError):
            raise VerificationFailed("checkpoint", "missing") from None
        cp = self.open(note)
        if self._known is not None:
            self.prove_consistency(self._known, cp)
        self._tree(cp).verify_root()
        self._known = cp
        return cp

    def node(self, level: int, index: int, size: int | Checkpoint) -> bytes:
        """The tree node ``(level, index)`` (``get_node`` semantics) read from the tiles.

        With a checkpoint, the tiles read are authenticated against its root
        first; with a bare ``size`` they are not (raw read). Raises
        ``ValueError`` if that node is not a complete subtree at that size.
        """
        return self._tree(size).node(level, index)

    def entry(self, index: int, size: int | Checkpoint) -> bytes:
        """Entry ``index`` read from its entry bundle in the log of ``size`` entries.

        With a checkpoint, the entry is checked to hash to the leaf the
        checkpoint commits to (authenticated level-0 tile); with a bare ``size``
        it is returned unchecked. Raises ``ValueError`` if ``index`` is not in
        the log at that size.
        """
        tree = self._tree(size)
        if not 0 <= index < tree.size:
            raise ValueError(f"entry {index} is not in a log of size {tree.size}")
        bundle = bundle_for_entry(index, tree.size)
        entry = self._source.bundle(bundle.index, bundle.width)[index - bundle.start]
        if tree.root is not None:
            leaf = tree.node(0, index)
            if leaf_hashes([entry])[0] != leaf:
                raise VerificationFailed(
                    f"entry {index}",
                    f"{bundle.path} holds an entry that does not hash to leaf {index}, "
                    f"hash {index % TILE_WIDTH} of {tile_path(0, bundle.index, bundle.width)}",
                )
        return entry

    def prove_inclusion(
        self, entry: bytes, index: int, checkpoint: bytes | Checkpoint, *, hashed: bool = False
    ) -> list[bytes]:
        """Prove that ``entry`` is entry ``index`` of the log at ``checkpoint``; return the proof.

        ``entry`` is the entry's bytes, or its 32-byte RFC 6962 leaf hash when
        ``hashed`` is true. ``checkpoint`` is a signed note (verified here) or a
        checkpoint already verified. Raises :class:`VerificationFailed` (``entry
        <index>``) unless the audit path computed from authenticated tiles leads
        from the entry to the checkpoint's root.
        """
        cp = self._checkpoint_arg(checkpoint)
        leaf = entry if hashed else leaf_hashes([entry])[0]
        what = f"entry {index}"
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < cp.size:
            raise VerificationFailed(what, f"not in the log of size {cp.size}")
        tree = self._tree(cp)
        proof = inclusion_proof(index, cp.size, tree.node)
        try:
            verify_inclusion(leaf, index, cp.size, proof, cp.root_hash)
        except ProofError as exc:
            raise VerificationFailed(what, f"not included: {exc}") from None
        return proof

    def prove_consistency(self, old: bytes | Checkpoint, new: bytes | Checkpoint) -> list[bytes]:
        """Prove that checkpoint ``old`` is a prefix of ``new``; return the proof.

        Both are signed notes (verified here) or checkpoints already verified.
        Raises :class:`InconsistentLogError` carrying both notes and the proof
        for a rollback (``new`` smaller), a fork at equal size (different roots)
        or a proof that does not lead to ``old``'s root; :class:`VerificationFailed`
        if the tiles served do not reproduce ``new``'s root.
        """
        old_cp, new_cp = self._checkpoint_arg(old), self._checkpoint_arg(new)
        m, n = old_cp.size, new_cp.size

        def split_view(reason: str, proof: list[bytes]) -> InconsistentLogError:
            return InconsistentLogError(
                "checkpoint",
                reason,
                old_checkpoint=old_cp.note,
                new_checkpoint=new_cp.note,
                proof=proof,
            )

        if n < m:
            raise split_view(
                f"rollback: the log now has size {n}, but a checkpoint of size {m} was seen",
                [],
            )
        if n == m:
            if old_cp.root_hash != new_cp.root_hash:
                raise split_view(
                    f"fork: two different roots for size {n} "
                    f"({old_cp.root_hash.hex()} and {new_cp.root_hash.hex()})",
                    [],
                )
            return []
        tree = self._tree(new_cp)
        tree.verify_root()
        proof = consistency_proof(m, n, tree.node)
        try:
            verify_consistency(m, n, old_cp.root_hash, new_cp.root_hash, proof)
        except ProofError as exc:
            raise split_view(
                f"fork: the tree of size {n} does not extend size {m}: {exc}", proof
            ) from None
        return proof

    # ------------------------------------------------------------------ helpers

    def _checkpoint_arg(self, value: bytes | Checkpoint) -> SignedCheckpoint:
        if isinstance(value, SignedCheckpoint):
            cp = value
        elif isinstance(value, Checkpoint):
            note = value.to_text().encode()
            cp = SignedCheckpoint(
                value.origin, value.size, value.root_hash, value.extensions, note=note
            )
        elif isinstance(value, bytes):
            return self.open(value)
        else:
            raise TypeError(f"a checkpoint is a signed note (bytes) or a Checkpoint, not {value!r}")
        if cp.origin != self.origin:
            raise VerificationFailed("checkpoint", f"origin {cp.origin!r} is not {self.origin!r}")
        return cp

    def _tree(self, size: int | Checkpoint) -> _Tree:
        if isinstance(size, Checkpoint):
            key: tuple[int, bytes | None] = (size.size, size.root_hash)
        elif isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"a tree size is a non-negative integer, not {size!r}")
        else:
            key = (size, None)
        tree = self._trees.get(key)
        if tree is None:
            tree = self._trees[key] = _Tree(self._source, *key)
            if len(self._trees) > 8:
                self._trees.popitem(last=False)
        return tree
