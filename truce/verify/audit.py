"""fsck: a full third-party audit of a published log, streaming, naming every fault.

:func:`fsck` reads every entry bundle once, in order, and re-derives the whole
tree from the entries: each leaf hash (RFC 6962 ``SHA-256(0x00 || entry)``), each
tile hash at every level (full and partial, C2SP ``tlog-tiles``) and the root.
It compares them with the published tiles and the signed checkpoint, and calls
``entry_check(index, entry)`` on each entry (e.g. to verify its signed
envelope). Memory stays bounded: a few bundles in flight (at least 3, three per
worker) and one row of at most 256 hashes per tile level are held at a time.

Speed: hashing is the whole cost (a leaf hash per entry and about one node hash
per entry above it). Bundles are fetched a few ahead and hashed by worker
processes (one per CPU by default, see :func:`fsck`'s ``workers``) while this
process compares rows with the published tiles, in log order; one process
manages about half the bare ``hashlib`` leaf-hash rate (it hashes the tree
above the leaves too).

Three sources must agree — the entries, the published tiles, the signed root —
so a fault is attributed to the one the other two contradict:

* entries reproduce the signed root: every tile hash that differs is a tile
  fault (``tile/0/x001/042: hash 17 differs from the leaf hash of entry 273...``);
* tiles are consistent among themselves and with the signed root: the entries
  are at fault (``entries bundle 3 (tile/entries/003): entry 790 does not hash to
  ...``, ``entries 3 and 5 are out of order``);
* neither: the checkpoint root is reported (``checkpoint: root hash differs ...``)
  with every raw difference.

Files that cannot be read or parsed are named directly (``...: missing``,
``...: 8191 bytes, want 8192 (truncated)``, ``...: truncated: entry 7 claims ...``).
With ``since`` (the last checkpoint a party saw) a rollback or a fork is named
too. Depends only on :mod:`truce.ledger` and the standard library.

Example::

    report = fsck(directory_fetcher("public/log"), "mission.example/log", [vkey],
                  entry_check=check_envelope)
    for problem in report.problems:
        print(problem)
    report.raise_for_problems()
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from truce.ledger import EMPTY_ROOT
from truce.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from truce.ledger.merkle import root_from_nodes
from truce.ledger.note import NoteError, NoteVerifier
from truce.ledger.tiles import (
    CHECKPOINT_PATH,
    TILE_WIDTH,
    Bundle,
    entries_path,
    entry_bundles_for_size,
    node_tile,
    tile_path,
)
from truce.verify._errors import FetchError, MissingFile, VerificationFailed
from truce.verify._tiles import (
    HASH,
    BundleHasher,
    Fetched,
    TileSource,
    bundle_name,
    fetch_ahead,
    parse_bundle,
    subtree_hash,
)
from truce.verify.fetch import Fetcher
from truce.verify.log import load_verifiers

__all__ = ["EntryCheck", "FsckReport", "Problem", "fsck"]

#: ``entry_check(index, entry)``: raise any exception to report the entry as bad.
EntryCheck = Callable[[int, bytes], None]

_ROW = TILE_WIDTH * HASH
#: Entry bundles in flight (fetched, queued for hashing) ahead of the one being
#: checked: at least _AHEAD, _PER_WORKER per worker process. Memory: that many
#: bundle files, each at most 256 * 65,537 bytes.
_AHEAD = 3
_PER_WORKER = 3
#: Below this many entries the audit hashes in-process (forking costs more than it saves).
_POOL_MIN_ENTRIES = 64 * TILE_WIDTH


@dataclass(frozen=True)
class Problem:
    """One fault: ``what`` is at fault (a file, ``entry 17``, ``checkpoint``), ``reason`` why."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass(frozen=True)
class FsckReport:
    """The outcome of :func:`fsck`; :attr:`ok` only if nothing at all is wrong.

    ``problems`` holds at most ``max_problems`` problems, ``problem_count`` all
    those found. Once more than ``max_problems`` are found the audit stops:
    ``stopped_at`` is then the first entry not audited. ``computed_root`` is the
    root re-derived from the entries (None if the audit could not finish).
    ``workers`` is how many worker processes hashed the bundles (0: the calling
    process did).
    """

    origin: str
    size: int
    root_hash: bytes | None
    computed_root: bytes | None
    entries: int
    bundles: int
    tiles: int
    problems: tuple[Problem, ...]
    problem_count: int
    stopped_at: int | None
    seconds: float = field(compare=False)
    workers: int = field(default=0, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the log verified completely (every entry audited, no problem)."""
        return self.problem_count == 0 and self.stopped_at is None

    @property
    def entries_per_second(self) -> float:
        """Audit throughput (entries re-hashed, tiles and root rebuilt, checks run)."""
        return self.entries / self.seconds if self.seconds > 0 else 0.0

    def raise_for_problems(self) -> None:
        """Raise :class:`VerificationFailed` for the first problem, if there is one."""
        if self.problems:
            first = self.problems[0]
            more = self.problem_count - 1
            tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
            raise VerificationFailed(first.what, first.reason + tail)


def fsck(
    fetch: Fetcher,
    origin: str,
    verifiers: Iterable[NoteVerifier | str],
    *,
    entry_check: EntryCheck | None = None,
    since: bytes | Checkpoint | None = None,
    max_problems: int = 1000,
    workers: int | None = None,
) -> FsckReport:
    """Audit the whole log ``origin`` served by ``fetch``; see the module docstring.

    ``verifiers`` are the log's keys (objects or ``vkey`` strings). ``since`` is a
    checkpoint seen earlier (signed note, verified here, or a trusted
    :class:`Checkpoint`): a current checkpoint smaller than it, or a tree whose
    prefix of its size has another root, is reported. Exceptions raised by
    ``entry_check`` are reported as problems of that entry, never propagated.
    A checkpoint that does not verify is reported and nothing else is audited
    (its size and root are untrusted). Never raises for a fault of the log: every
    fault is a :class:`Problem`; raises :class:`VerificationFailed` only for an
    unusable ``verifiers`` list (``ValueError`` for ``workers`` below 1).

    ``workers`` (default: the number of CPUs) is how many processes hash the
    entry bundles: with 2 or more, on Linux, from a single-threaded process and
    for a log of at least 16,384 entries, that many worker processes are forked
    and receive bundle bytes (``fetch`` and ``entry_check`` are only ever called
    in this process, in log order); otherwise this process hashes. The report is
    the same either way.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    elif isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer or None, not {workers!r}")
    keys = load_verifiers(verifiers)
    audit = _Audit(TileSource(fetch, cache_size=0), max_problems, workers)
    start = time.perf_counter()
    cp = audit.checkpoint(fetch, origin, keys)
    since_cp = None if since is None or cp is None else audit.since(since, origin, keys, cp)
    computed = None if cp is None else audit.run(cp, entry_check, since_cp)
    return FsckReport(
        origin=origin,
        size=0 if cp is None else cp.size,
        root_hash=None if cp is None else cp.root_hash,
        computed_root=computed,
        entries=audit.entries,
        bundles=audit.bundles,
        tiles=audit.tiles,
        problems=tuple(audit.problems),
        problem_count=audit.problem_count,
        stopped_at=audit.stopped_at,
        seconds=time.perf_counter() - start,
        workers=audit.pool,
    )


@dataclass
class _Diff:
    """Positions where a published tile differs from the recomputed hashes."""

    level: int
    index: int
    width: int
    positions: list[int]
    recomputed: list[bytes]
    published: list[bytes]
    against_entries: bool  # True: vs hashes from the entries; False: vs the published tiles below


def _root_from_rows(size: int, rows: list[bytes]) -> bytes:
    """Root of a tree of ``size`` leaves from the rows of its rightmost (partial) tiles."""
    if size == 0:
        return EMPTY_ROOT

    def read(level: int, index: int) -> bytes:
        t_level, _, n_level, n_index = node_tile(level, index)
        row = rows[t_level]
        return subtree_hash(row[(n_index << n_level) * HASH : ((n_index + 1) << n_level) * HASH])

    return root_from_nodes(size, read)


class _Audit:
    """State of one fsck run: counters, problems, pending differences."""

    def __init__(self, source: TileSource, max_problems: int, workers: int = 1) -> None:
        self.source = source
        self.max_problems = max_problems
        self.workers = workers
        self.pool = 0  # worker processes that actually hashed
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.entries = self.bundles = self.tiles = 0
        self.diffs: list[_Diff] = []
        self.since_roots: tuple[bytes, bytes] | None = None
        self.stopped_at: int | None = None
        self.since_cp: Checkpoint | None = None

    def problem(self, what: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(what, reason))

    # ------------------------------------------------------------------ checkpoints

    def checkpoint(
        self, fetch: Fetcher, origin: str, keys: list[NoteVerifier]
    ) -> Checkpoint | None:
        """The checkpoint to audit against: verified, or else parsed (with a problem)."""
        try:
            note = fetch(CHECKPOINT_PATH)
        except (MissingFile, FileNotFoundError):
            self.problem("checkpoint", "missing")
            return None
        except FetchError as exc:
            self.problem("checkpoint", f"cannot fetch: {exc.reason}")
            return None
        try:
            cp = open_checkpoint(note, origin, keys)
        except (NoteError, CheckpointError) as exc:
            # Its size and root are untrusted: auditing against them proves nothing
            # (and a forged size could make the audit run forever).
            self.problem("checkpoint", f"does not verify: {exc}")
            return None
        except VerificationFailed as exc:
            self.problem(exc.what, exc.reason)
            return None
        return cp

    def since(
        self, since: bytes | Checkpoint, origin: str, keys: list[NoteVerifier], cp: Checkpoint
    ) -> Checkpoint | None:
        if isinstance(since, bytes):
            try:
                since = open_checkpoint(since, origin, keys)
            except (NoteError, CheckpointError) as exc:
                self.problem("remembered checkpoint", f"does not verify: {exc}")
                return None
        if since.size > cp.size:
            self.problem(
                "checkpoint",
                f"rollback: the log now has size {cp.size}, but a checkpoint of size "
                f"{since.size} was seen",
            )
            return None
        self.since_cp = since
        return since

    # ------------------------------------------------------------------ the stream

    def run(
        self, cp: Checkpoint, entry_check: EntryCheck | None, since: Checkpoint | None
    ) -> bytes | None:
        """Re-derive the tree of ``cp.size`` from the bundles; return the computed root.

        Stops (returning None) once more than ``max_problems`` problems are found:
        the log is broken beyond what one report can list.
        """
        size = cp.size
        m = since.size if since is not None else -1
        e_rows: list[bytearray] = [bytearray()]  # recomputed from the entries, per tile level
        p_rows: list[bytearray] = [bytearray()]  # derived from the published tiles below
        last_pub: list[bytes] = []  # the published rightmost tile of each level
        with BundleHasher(self.workers if size >= _POOL_MIN_ENTRIES else 1) as hasher:
            self.pool = hasher.workers
            depth = max(_AHEAD, _PER_WORKER * hasher.workers)
            bundles = entry_bundles_for_size(size)
            for bundle, fetched in fetch_ahead(self.source, bundles, hasher, depth):
                if self.problem_count > self.max_problems:
                    self.stopped_at = bundle.start
                    return None
                e0, p0, top = self.bundle(bundle, fetched, hasher, entry_check)
                if bundle.start <= m < bundle.end:
                    k = (m - bundle.start) * HASH
                    self.snapshot(m, [e0[:k], *e_rows[1:]], [p0[:k], *p_rows[1:]])
                self.row_done(0, bundle.index, e0, p0, e_rows, p_rows, last_pub, top)
        # The rightmost (partial) tiles of the upper levels, checked at the end.
        level = 1
        while size >> (8 * level):
            width = (size >> (8 * level)) % TILE_WIDTH
            if width:
                index = (size >> (8 * level)) // TILE_WIDTH
                self.row_done(
                    level,
                    index,
                    bytes(e_rows[level]),
                    bytes(p_rows[level]),
                    e_rows,
                    p_rows,
                    last_pub,
                )
            level += 1
        root_e = _root_from_rows(size, [bytes(r) for r in e_rows])
        root_p = _root_from_rows(size, last_pub + [b""] * (len(e_rows) - len(last_pub)))
        if m == size:
            self.since_roots = (root_e, root_p)
        elif m == 0:
            self.since_roots = (EMPTY_ROOT, EMPTY_ROOT)
        self.attribute(cp, root_e, root_p)
        return root_e

    def snapshot(
        self, m: int, e_rows: list[bytes | bytearray], p_rows: list[bytes | bytearray]
    ) -> None:
        self.since_roots = (
            _root_from_rows(m, [bytes(r) for r in e_rows]),
            _root_from_rows(m, [bytes(r) for r in p_rows]),
        )

    def bundle(
        self,
        bundle: Bundle,
        fetched: Fetched,
        hasher: BundleHasher,
        entry_check: EntryCheck | None,
    ) -> tuple[bytes, bytes, bytes | None]:
        """Leaf hashes of ``bundle`` (joined), its published tile, and their subtree hash.

        The third item is the MTH of the bundle's leaves when it is full and could
        be read (the hash its level-1 tile must hold), else None.
        """
        index, width = bundle
        self.bundles += 1
        row: bytes | None = None
        top: bytes | None = None
        entries: list[bytes] = []
        try:
            if not isinstance(fetched, tuple):
                raise fetched
            data, count, name = fetched
            row, top = hasher.result()  # of this bundle: submitted in this order
            if entry_check is not None:
                entries = parse_bundle(data, name, count)
            if count != width:  # the full bundle stood in for a missing partial one
                row, top, entries = row[: width * HASH], None, entries[:width]
        except VerificationFailed as exc:
            self.problem(exc.what, exc.reason)
        except FetchError as exc:
            self.problem(bundle_name(index, width), f"cannot fetch: {exc.reason}")
        published = self.published_tile(0, index, width)
        if row is None:
            e0 = published if published is not None else bytes(width * HASH)
            return e0, e0, None
        self.entries += width
        if entry_check is not None:
            start = index * TILE_WIDTH
            for k, entry in enumerate(entries):
                try:
                    entry_check(start + k, entry)
                except VerificationFailed as exc:  # names the entry itself
                    self.problem(exc.what, exc.reason)
                except Exception as exc:  # the caller's check reports by raising anything
                    self.problem(f"entry {start + k}", f"{type(exc).__name__}: {exc}")
        return row, row if published is None else published, top

    def published_tile(self, level: int, index: int, width: int) -> bytes | None:
        self.tiles += 1
        try:
            return self.source.tile(level, index, width)
        except VerificationFailed as exc:
            self.problem(exc.what, exc.reason)
        except FetchError as exc:
            self.problem(tile_path(level, index, width), f"cannot fetch: {exc.reason}")
        return None

    def row_done(
        self,
        level: int,
        index: int,
        e_row: bytes,
        p_row: bytes,
        e_rows: list[bytearray],
        p_rows: list[bytearray],
        last_pub: list[bytes],
        e_top: bytes | None = None,
    ) -> None:
        """Compare a finished row with its published tile and push its hash one level up.

        At level 0 ``p_row`` *is* the published tile (already fetched); above, the
        published tile is fetched here and ``p_row`` holds the hashes of the
        published tiles below. ``e_top``, if given, is the subtree hash of ``e_row``
        (already computed with the leaf hashes).
        """
        width = len(e_row) // HASH
        if level == 0:
            pub = p_row  # e_row itself when the tile or the bundle could not be read
        else:
            published = self.published_tile(level, index, width)
            pub = published if published is not None else e_row
        if pub != e_row:
            self.record(level, index, width, e_row, pub, against_entries=True)
        if level > 0 and pub != p_row:
            self.record(level, index, width, p_row, pub, against_entries=False)
        if width < TILE_WIDTH:  # the rightmost tile of its level: kept for the root
            while len(last_pub) <= level:
                last_pub.append(b"")
            last_pub[level] = pub
            e_rows[level][:] = e_row
            return
        if len(e_rows) == level + 1:
            e_rows.append(bytearray())
            p_rows.append(bytearray())
        e_hash = subtree_hash(e_row) if e_top is None else e_top
        e_rows[level + 1] += e_hash
        p_rows[level + 1] += e_hash if pub == e_row else subtree_hash(pub)
        if level:
            e_rows[level].clear()
            p_rows[level].clear()
        if len(e_rows[level + 1]) == _ROW:
            up_e, up_p = bytes(e_rows[level + 1]), bytes(p_rows[level + 1])
            self.row_done(level + 1, index // TILE_WIDTH, up_e, up_p, e_rows, p_rows, last_pub)

    def record(
        self, level: int, index: int, width: int, mine: bytes, pub: bytes, *, against_entries: bool
    ) -> None:
        positions = [
            k
            for k in range(width)
            if mine[k * HASH : (k + 1) * HASH] != pub[k * HASH : (k + 1) * HASH]
        ]
        if len(self.diffs) < 4 * self.max_problems:
            self.diffs.append(
                _Diff(
                    level,
                    index,
                    width,
                    positions,
                    [mine[k * HASH : (k + 1) * HASH] for k in positions],
                    [pub[k * HASH : (k + 1) * HASH] for k in positions],
                    against_entries,
                )
            )
        else:
            self.problem_count += 1

    # ------------------------------------------------------------------ attribution

    def attribute(self, cp: Checkpoint, root_e: bytes, root_p: bytes) -> None:
        """Name the faults: entries, tiles or checkpoint, whichever the others contradict."""
        signed = cp.root_hash
        if root_e == signed:  # the entries are right: every differing tile hash is a fault
            for d in self.diffs:
                if d.against_entries:
                    self.tile_fault(d)
        elif root_p == signed:  # the rightmost tiles are right: authenticate downwards
            self.top_down()
        else:
            if root_e == root_p and not self.diffs:
                reason = f"the tiles and the entries agree on {root_e.hex()}"
            else:
                reason = (
                    f"the entries give {root_e.hex()} and the published tiles give {root_p.hex()}"
                )
            self.problem("checkpoint", f"root hash {signed.hex()} differs from the tiles: {reason}")
            for d in self.diffs:
                if d.against_entries or not any(
                    o.against_entries and (o.level, o.index) == (d.level, d.index)
                    for o in self.diffs
                ):
                    self.tile_fault(d)
        if self.since_cp is not None and self.since_roots is not None:
            want = self.since_cp.root_hash
            if want not in self.since_roots:
                self.problem(
                    "checkpoint",
                    f"fork: the log's first {self.since_cp.size} entries have root "
                    f"{self.since_roots[0].hex()}, the remembered checkpoint says {want.hex()}",
                )

    def top_down(self) -> None:
        """Attribute faults from the tiles the signed root authenticates, level by level down.

        A tile is authentic if every tile above it on the way to the right edge
        holds its hash; the first tile that does not match its authentic parent is
        named, and entries are judged against authentic tiles only.
        """
        bad = {
            (d.level - 1, d.index * TILE_WIDTH + k)
            for d in self.diffs
            if not d.against_entries
            for k in d.positions
        }
        top = max((d.level for d in self.diffs), default=0) + 1

        def authentic(level: int, index: int) -> bool:
            while level <= top:
                if (level, index) in bad:
                    return False
                level, index = level + 1, index // TILE_WIDTH
            return True

        for d in self.diffs:
            if not authentic(d.level, d.index):
                continue  # a tile above it is named instead
            path = tile_path(d.level, d.index, d.width)
            if not d.against_entries:
                for k in d.positions:
                    child = tile_path(d.level - 1, d.index * TILE_WIDTH + k)
                    reason = f"does not hash to hash {k} of {path}"
                    self.problem(child, f"{reason}, which the checkpoint authenticates")
            elif d.level == 0:
                self.entries_fault(d)
            else:  # only where the tile below was altered to match the altered entries
                for k in d.positions:
                    c = d.index * TILE_WIDTH + k
                    if (d.level - 1, c) in bad:
                        span = TILE_WIDTH**d.level
                        what = (
                            bundle_name(c, TILE_WIDTH)
                            if d.level == 1
                            else f"entries {c * span}..{(c + 1) * span - 1}"
                        )
                        self.problem(
                            what,
                            f"the entries do not hash to hash {k} of {path}, which the "
                            "checkpoint authenticates",
                        )

    def tile_fault(self, d: _Diff) -> None:
        path = tile_path(d.level, d.index, d.width)
        for k in d.positions:
            if d.level == 0:
                n = d.index * TILE_WIDTH + k
                source = f"the leaf hash of entry {n} in {entries_path(d.index, d.width)}"
            elif d.against_entries:
                source = "the hash recomputed from the entries"
            else:
                below = tile_path(d.level - 1, d.index * TILE_WIDTH + k)
                source = f"the hash of the published tile below, {below}"
            self.problem(path, f"hash {k} differs from {source}")

    def entries_fault(self, d: _Diff) -> None:
        name = bundle_name(d.index, d.width)
        start = d.index * TILE_WIDTH
        leaf_tile = tile_path(0, d.index, d.width)
        if len(d.positions) > 1 and Counter(d.recomputed) == Counter(d.published):
            listed = [str(start + k) for k in d.positions]
            if len(listed) == 2:
                self.problem(name, f"entries {listed[0]} and {listed[1]} are out of order")
            else:
                self.problem(name, f"entries {', '.join(listed)} are out of order")
            return
        for k in d.positions:
            self.problem(
                name,
                f"entry {start + k} does not hash to hash {k} of {leaf_tile}, which the "
                "tiles above and the signed checkpoint confirm",
            )
