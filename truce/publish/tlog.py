"""Write the log as a C2SP ``tlog-tiles`` directory: tiles, entry bundles, checkpoint.

The published directory is what any web server, CDN or object store serves and
what :mod:`truce.verify` reads (https://c2sp.org/tlog-tiles, C2SP/C2SP
``tlog-tiles.md``)::

    checkpoint                      the signed C2SP tlog-checkpoint (mutable)
    tile/<L>/<N>[.p/<W>]            Merkle tree tiles, 256 (or W) 32-byte hashes
    tile/entries/<N>[.p/<W>]        entry bundles: big-endian uint16 length || entry, ...

A level-``L`` tile with index ``N`` holds the hashes of tree level ``8*L``, nodes
``N*256 .. N*256+W-1``: ``MTH(D[(N*256+i) * 256**L : (N*256+i+1) * 256**L])`` in the
spec's words. Full tiles and bundles are immutable; partial ones (``.p/W``) are
written for the size being published and old ones are left in place (the spec
allows deleting them, it does not require it, and readers holding an older
checkpoint may still use them).

**Atomicity.** Every file is written to a temporary name in its directory,
fsynced and renamed over its final name; the directories touched are fsynced;
the ``checkpoint`` is written last in the same way. A reader (or a restart after
a crash) therefore never sees a checkpoint whose tiles or bundles are missing or
half written. An advisory lock (``.publish.lock``) serialises publishers.

**Entry size limit.** The spec's bundles length-prefix each entry with a
big-endian ``uint16``, so an entry of more than 65,535 bytes cannot be
published in a bundle; :func:`publish` refuses it before writing its bundle.
The bundle format itself is owned by :mod:`truce.ledger.tiles`
(:func:`~truce.ledger.tiles.bundle_to_bytes`); :func:`encode_bundle` only
translates its errors into :class:`~truce.errors.ValidationError`.

**Safety checks.** :func:`publish` never publishes a checkpoint smaller than
the one already published, nor a tree that does not extend it (the root of the
new tree at the old size must be the old checkpoint's root), nor a checkpoint
whose size or root differs from the tree it is given, nor a bundle whose entries
do not hash to the tree's leaves. A full tile or bundle already on disk with
different bytes is never overwritten.

Example::

    report = publish("public/log", size=tree.size, get_node=tree.get_node,
                     get_entries=lambda lo, hi: entries[lo:hi], checkpoint=signed)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from truce.errors import Conflict, StorageError, ValidationError
from truce.ledger import ProofError, root_from_nodes
from truce.ledger.checkpoint import Checkpoint, CheckpointError
from truce.ledger.tiles import (
    CHECKPOINT_PATH,
    MAX_ENTRY_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    Bundle,
    BundleError,
    Tile,
    bundle_leaf_hashes,
    bundle_to_bytes,
    entry_bundles_for_size,
    new_tiles,
    tiles_for_size,
)

__all__ = ["LOCK_NAME", "MAX_ENTRY_SIZE", "PublishReport", "encode_bundle", "publish"]

#: Advisory lock file that serialises publishers of one directory.
LOCK_NAME = ".publish.lock"

_HASH = 32
_FILE_MODE = 0o644


@dataclass(frozen=True)
class PublishReport:
    """What one :func:`publish` call did.

    ``*_written`` count files created or replaced; ``unchanged`` counts files that
    were already present (full ones with the expected bytes, or older full files
    below the previous checkpoint, which are only checked for presence).
    """

    size: int
    previous_size: int
    tiles_written: int
    partial_tiles_written: int
    bundles_written: int
    partial_bundles_written: int
    unchanged: int
    checkpoint_written: bool

    @property
    def files_written(self) -> int:
        """Every file written, the checkpoint included."""
        return (
            self.tiles_written
            + self.partial_tiles_written
            + self.bundles_written
            + self.partial_bundles_written
            + int(self.checkpoint_written)
        )


def encode_bundle(entries: Sequence[bytes], *, first_index: int = 0) -> bytes:
    """The C2SP ``tlog-tiles`` bundle of ``entries`` (:func:`~truce.ledger.tiles.bundle_to_bytes`).

    Raises :class:`~truce.errors.ValidationError` (field ``entries[i]``, ``i``
    counted from ``first_index``) for an entry that is not bytes or is longer than
    :data:`MAX_ENTRY_SIZE` bytes, and (field ``entries``) for more than 256 entries.
    """
    try:
        return bundle_to_bytes(entries)
    except BundleError as exc:
        where = "entries" if exc.entry is None else f"entries[{first_index + exc.entry}]"
        raise ValidationError(exc.reason, field=where) from None


def publish(
    directory: str | os.PathLike[str],
    *,
    size: int,
    get_node: Callable[[int, int], bytes],
    get_entries: Callable[[int, int], Sequence[bytes]],
    checkpoint: bytes,
    repair: bool = False,
) -> PublishReport:
    """Publish the log of ``size`` entries in ``directory`` and return what was written.

    ``get_node(level, index)`` returns the hash of the full subtree of ``2**level``
    leaves from leaf ``index << level`` (:meth:`truce.ledger.MemoryTree.get_node`);
    ``get_entries(start, stop)`` returns entries ``start .. stop-1`` in order;
    ``checkpoint`` is the signed note of this tree (size ``size``).

    Guarantees: every tile and entry bundle of a tree of ``size`` exists in
    ``directory`` when the new ``checkpoint`` file appears, which happens last and
    atomically; full tiles and bundles are never rewritten; nothing is published
    if the checkpoint does not describe this tree or the tree does not extend the
    published checkpoint. Raises :class:`~truce.errors.ValidationError` for
    arguments that contradict each other (checkpoint vs tree, entries vs leaves,
    an entry over :data:`MAX_ENTRY_SIZE` bytes), :class:`~truce.errors.Conflict`
    for a publication that would roll back or fork the published log or change
    an immutable file, :class:`~truce.errors.StorageError` if the file system fails.
    Files written before a failure are harmless: no checkpoint refers to them.

    Only the files that the published checkpoint does not cover are considered
    (publishing is O(new entries)); ``repair=True`` also re-creates any older
    file that has gone missing (O(size) existence checks).
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValidationError(f"must be a non-negative integer, not {size!r}", field="size")
    if not isinstance(checkpoint, bytes):
        raise ValidationError("must be the signed note as bytes", field="checkpoint")
    try:
        new_cp = _parse_checkpoint(checkpoint)
    except CheckpointError as exc:
        raise ValidationError(str(exc), field="checkpoint") from exc
    if new_cp.size != size:
        raise ValidationError(
            f"says size {new_cp.size}, but the tree being published has {size} leaves",
            field="checkpoint",
        )
    if _root(size, get_node) != new_cp.root_hash:
        raise ValidationError(
            f"root hash differs from the root of the tree of {size} leaves", field="checkpoint"
        )
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _locked(root):
            return _Publisher(root, size, get_node, get_entries, checkpoint).run(repair)
    except OSError as exc:
        raise StorageError(f"cannot publish the log in {root}: {exc}") from exc


def _root(size: int, get_node: Callable[[int, int], bytes]) -> bytes:
    try:
        return root_from_nodes(size, get_node)
    except ProofError as exc:
        raise ValidationError(str(exc), field="get_node") from exc


def _parse_checkpoint(note: bytes) -> Checkpoint:
    """The checkpoint in a signed note's text (signatures are the signer's business)."""
    split = note.rfind(b"\n\n")
    if split < 0:
        raise CheckpointError("is not a signed note (no blank line)", field="text")
    return Checkpoint.from_text(note[: split + 1])


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class _Publisher:
    """One publication: decides, builds and writes the files, checkpoint last."""

    def __init__(
        self,
        root: Path,
        size: int,
        get_node: Callable[[int, int], bytes],
        get_entries: Callable[[int, int], Sequence[bytes]],
        checkpoint: bytes,
    ) -> None:
        self.root = root
        self.size = size
        self.get_node = get_node
        self.get_entries = get_entries
        self.checkpoint = checkpoint
        self.batch = _Batch()
        self.counts = {"tile": 0, "partial_tile": 0, "bundle": 0, "partial_bundle": 0}
        self.unchanged = 0

    def run(self, repair: bool) -> PublishReport:
        old_size = self._previous_size()
        fresh_tiles = set(new_tiles(old_size, self.size))
        first = old_size // TILE_WIDTH  # bundles before it are covered by the old checkpoint
        bundles = entry_bundles_for_size(self.size) if repair else _bundles_from(first, self.size)
        try:
            for bundle in bundles:
                # Bundle N and level-0 tile N cover the same entries: one row serves both.
                row = self._bundle(bundle, bundle.index >= first and bundle.end > old_size)
                leaves = Tile(0, bundle.index, bundle.width)
                self._tile(leaves, leaves in fresh_tiles, row)
            for tile in tiles_for_size(self.size) if repair else sorted(fresh_tiles, key=_order):
                if tile.level:
                    self._tile(tile, tile in fresh_tiles)
            self.batch.flush()
        except BaseException:
            self.batch.abort()
            raise
        for d in sorted(self.batch.dirs):
            _fsync_dir(d)
        path = self.root / CHECKPOINT_PATH
        written = not (path.is_file() and path.read_bytes() == self.checkpoint)
        if written:
            _write_atomic(path, self.checkpoint)
        return PublishReport(
            size=self.size,
            previous_size=old_size,
            tiles_written=self.counts["tile"],
            partial_tiles_written=self.counts["partial_tile"],
            bundles_written=self.counts["bundle"],
            partial_bundles_written=self.counts["partial_bundle"],
            unchanged=self.unchanged,
            checkpoint_written=written,
        )

    def _previous_size(self) -> int:
        """Size of the published checkpoint (0 if none); refuse a rollback or a fork."""
        path = self.root / CHECKPOINT_PATH
        if not path.exists():
            return 0
        try:
            old = _parse_checkpoint(path.read_bytes())
        except CheckpointError as exc:
            raise StorageError(f"the published {path} is unreadable: {exc}") from exc
        if self.size < old.size:
            raise Conflict(
                f"refusing to publish size {self.size}: {path} already has size {old.size} "
                "and a log never shrinks"
            )
        if _root(old.size, self.get_node) != old.root_hash:
            raise Conflict(
                f"refusing to publish: the tree's first {old.size} leaves do not have the "
                f"root of the published checkpoint in {path} (the log would fork)"
            )
        return old.size

    def _tile(self, tile: Tile, fresh: bool, row: bytes | None = None) -> None:
        path = self.root / tile.path
        if not fresh and path.is_file():
            self.unchanged += 1  # covered by the previous checkpoint: immutable, present
            return
        data = row if row is not None else self._row(tile)
        self._put(path, data, tile.is_partial, "partial_tile" if tile.is_partial else "tile")

    def _row(self, tile: Tile) -> bytes:
        """The tile's bytes: hashes of tree level ``8 * level``, nodes ``index*256 + k``."""
        level, index, width = tile
        base = index * TILE_WIDTH
        try:
            return b"".join([self._node(TILE_HEIGHT * level, base + k) for k in range(width)])
        except ProofError as exc:
            raise ValidationError(str(exc), field="get_node") from exc

    def _node(self, level: int, index: int) -> bytes:
        h = self.get_node(level, index)
        if not isinstance(h, bytes) or len(h) != _HASH:
            raise ValidationError(
                f"returned {h!r} for node ({level}, {index}), not a 32-byte hash",
                field="get_node",
            )
        return h

    def _bundle(self, bundle: Bundle, fresh: bool) -> bytes | None:
        """Write the bundle if needed; return its level-0 tile row when it was computed."""
        path = self.root / bundle.path
        if not fresh and path.is_file():
            self.unchanged += 1
            return None
        entries = self.get_entries(bundle.start, bundle.end)
        if len(entries) != bundle.width:
            raise ValidationError(
                f"returned {len(entries)} entries for [{bundle.start}, {bundle.end}), "
                f"want {bundle.width}",
                field="get_entries",
            )
        data = encode_bundle(entries, first_index=bundle.start)
        row = self._row(Tile(0, bundle.index, bundle.width))
        hashes = bundle_leaf_hashes(data)  # the very bytes to be written
        if b"".join(hashes) != row:
            k = next(k for k, h in enumerate(hashes) if h != row[k * _HASH : (k + 1) * _HASH])
            raise ValidationError(
                f"entry {bundle.start + k} does not hash to leaf {bundle.start + k} of the tree",
                field="get_entries",
            )
        kind = "partial_bundle" if bundle.is_partial else "bundle"
        self._put(path, data, bundle.is_partial, kind)
        return row

    def _put(self, path: Path, data: bytes, partial: bool, kind: str) -> None:
        if path.is_file():
            existing = path.read_bytes()
            if existing == data:
                self.unchanged += 1
                return
            if not partial:
                raise Conflict(
                    f"refusing to overwrite {path}: it is an immutable full "
                    "tlog-tiles file and its bytes differ from the tree's"
                )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.batch.add(path, data)
        self.counts[kind] += 1


def _bundles_from(first: int, size: int) -> Iterator[Bundle]:
    """The bundles of a log of ``size`` entries from index ``first`` on."""
    full, rest = divmod(size, TILE_WIDTH)
    for index in range(first, full):
        yield Bundle(index)
    if rest:
        yield Bundle(full, rest)


def _order(tile: Tile) -> tuple[int, int]:
    return tile.level, tile.index


class _Batch:
    """Files written to temporary names, then fsynced together and renamed into place.

    Syncing a batch at once costs one journal commit instead of one per file
    (publishing a million entries writes ~8,000 files). Each file is durable
    before its rename, so a crash never leaves a truncated file under a final name.
    """

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self.pending: list[tuple[int, Path, Path]] = []
        self.dirs: set[Path] = set()

    def add(self, path: Path, data: bytes) -> None:
        tmp = _tmp_name(path)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
        self.pending.append((fd, tmp, path))
        _write_all(fd, data)
        if len(self.pending) >= self.limit:
            self.flush()

    def flush(self) -> None:
        for fd, _, _ in self.pending:
            os.fsync(fd)
        while self.pending:
            fd, tmp, path = self.pending[0]
            os.close(fd)
            self.pending.pop(0)
            try:
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            self.dirs.add(path.parent)

    def abort(self) -> None:
        """Close and remove every temporary file not renamed yet (after a failure)."""
        for fd, tmp, _ in self.pending:
            with contextlib.suppress(OSError):
                os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self.pending.clear()


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temporary file, ``os.replace`` and a dir fsync."""
    tmp = _tmp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
