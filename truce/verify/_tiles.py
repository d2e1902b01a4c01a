"""Reading tiles and entry bundles through a fetcher: sizes checked, partial fallback, cache.

Private to :mod:`truce.verify`. A :class:`TileSource` returns the raw bytes of
tile ``(level, index, width)`` and of an entry bundle, checking only what the
file itself must satisfy (its length, the bundle encoding); whether the hashes
are right is the caller's business (authentication in :mod:`truce.verify.log`,
recomputation in :mod:`truce.verify.audit`). The bundle format itself belongs
to :mod:`truce.ledger.tiles` (:func:`~truce.ledger.tiles.bundle_from_bytes`,
:func:`~truce.ledger.tiles.bundle_leaf_hashes`); here its errors are named
after the file.

Following C2SP ``tlog-tiles`` ("clients ... MAY fetch the full tile ... as a
fallback in case the partial tile is not available anymore"), a missing partial
tile or bundle is replaced by the prefix of the full one when that exists.

The Merkle hashing helpers (:func:`subtree_of`, :func:`subtree_hash`,
:func:`hash_bundle_row`) are kept to the fewest interpreter steps per hash: a
primed ``0x01`` hasher is copied per node, and no row is sliced needlessly.

:class:`BundleHasher` runs :func:`hash_bundle_row` over a stream of bundles, in
order, either in this process or in forked worker processes (hashing is the
whole cost of a full audit and one core cannot do more than ~0.5 entries per
microsecond in CPython). Workers receive bundle bytes and answer hashes over
pipes; they never call the fetcher. They are only forked on Linux, from a
process with a single thread (forking a multi-threaded process may deadlock
the child); otherwise, or if a worker dies, hashing falls back to this process.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import sys
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from truce.ledger.tiles import (
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    Bundle,
    BundleError,
    bundle_from_bytes,
    bundle_leaf_hashes,
    entries_path,
    tile_path,
)
from truce.verify._errors import FetchError, MissingFile, VerificationFailed
from truce.verify.fetch import Fetcher

__all__ = [
    "HASH",
    "BundleHasher",
    "Fetched",
    "TileSource",
    "bundle_name",
    "fetch_ahead",
    "hash_bundle_row",
    "leaf_hashes",
    "parse_bundle",
    "subtree_hash",
    "subtree_of",
]

HASH = 32
_sha256 = hashlib.sha256
_NODE_PREFIX = hashlib.sha256(b"\x01")  # primed RFC 6962 node hasher, copied per node


def leaf_hashes(entries: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 leaf hashes ``SHA-256(0x00 || entry)`` of ``entries``, in order."""
    sha = _sha256
    return [sha(b"\x00" + e).digest() for e in entries]


def subtree_of(hashes: list[bytes]) -> bytes:
    """MTH of a list of ``2**k`` 32-byte hashes (a complete subtree), k >= 0.

    Raises ``ValueError`` unless ``len(hashes)`` is a power of two.
    """
    n = len(hashes)
    if n == 0 or n & (n - 1):
        raise ValueError(f"a complete subtree needs 2**k hashes, not {n}")
    copy = _NODE_PREFIX.copy
    level = hashes
    while len(level) > 1:
        up: list[bytes] = []
        append = up.append
        pairs = iter(level)  # a power of two: every left has its right
        for left, right in zip(pairs, pairs, strict=False):
            h = copy()
            h.update(left)
            h.update(right)
            append(h.digest())
        level = up
    return level[0]


def subtree_hash(row: bytes) -> bytes:
    """MTH of the ``2**k`` concatenated 32-byte hashes in ``row`` (a complete subtree).

    Raises ``ValueError`` unless ``row`` holds a power of two of whole hashes.
    """
    n = len(row) // HASH
    if n == 0 or n & (n - 1) or len(row) % HASH:
        raise ValueError(f"a complete subtree needs 2**k hashes, not {len(row)} bytes")
    return subtree_of([row[i : i + HASH] for i in range(0, len(row), HASH)])


def hash_bundle_row(data: bytes, count: int, what: str) -> tuple[bytes, bytes | None]:
    """Leaf hashes of the ``count`` entries of bundle ``data``, joined, and the subtree hash.

    Returns ``(row, top)``: ``row`` is the ``count * 32`` bytes a level-0 tile of
    the bundle holds; ``top`` is the MTH of those leaves (the hash the level-1
    tile holds for the bundle) when the bundle is full (``count == 256``), else
    None. Raises :class:`VerificationFailed` (``what``) for a malformed bundle
    or one that does not hold exactly ``count`` entries.
    """
    try:
        hashes = bundle_leaf_hashes(data, count)
    except BundleError as exc:
        raise VerificationFailed(what, exc.reason) from None
    return b"".join(hashes), subtree_of(hashes) if count == TILE_WIDTH else None


def bundle_name(index: int, width: int) -> str:
    """How problems name an entry bundle: ``entries bundle 3 (tile/entries/003)``."""
    return f"entries bundle {index} ({entries_path(index, width)})"


def parse_bundle(data: bytes, what: str, width: int | None = None) -> list[bytes]:
    """The entries of the C2SP ``tlog-tiles`` entry bundle ``data``.

    Raises :class:`VerificationFailed` (``what``, with the reason of
    :func:`~truce.ledger.tiles.bundle_from_bytes`) if the bundle is malformed or,
    when ``width`` is given, does not hold exactly ``width`` entries.
    """
    try:
        return bundle_from_bytes(data, width)
    except BundleError as exc:
        raise VerificationFailed(what, exc.reason) from None


class TileSource:
    """Fetch tiles and bundles of a log, with a small LRU cache of raw files.

    Raises :class:`VerificationFailed` naming the file for a missing file or a
    tile of the wrong length; lets :class:`~truce.verify.FetchError` (network,
    I/O) through.
    """

    def __init__(self, fetch: Fetcher, *, cache_size: int = 512) -> None:
        self._fetch = fetch
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_size = cache_size

    def _get(self, path: str) -> bytes:
        cache = self._cache
        if cache:
            data = cache.get(path)
            if data is not None:
                cache.move_to_end(path)
                return data
        try:
            data = self._fetch(path)
        except FileNotFoundError:  # a hand-written fetcher may raise the builtin
            raise MissingFile(path) from None
        if not isinstance(data, bytes):
            raise TypeError(f"the fetcher returned {type(data).__name__} for {path}, not bytes")
        if self._cache_size:
            cache[path] = data
            if len(cache) > self._cache_size:
                cache.popitem(last=False)
        return data

    def _get_or_full(
        self, partial: str, is_partial: bool, full: tuple[int, int] | int
    ) -> tuple[bytes, bool]:
        """The partial file, or the full one if the partial is gone (second item True).

        ``full`` is the full file's ``(level, index)`` for a tile, its index for a bundle
        (its path is only built when it is needed).
        """
        try:
            return self._get(partial), False
        except MissingFile:
            if not is_partial:
                raise VerificationFailed(partial, "missing") from None
        full_path = tile_path(*full) if isinstance(full, tuple) else entries_path(full)
        try:
            return self._get(full_path), True
        except MissingFile:
            raise VerificationFailed(
                partial, "missing (and no full tile to fall back on)"
            ) from None

    def tile(self, level: int, index: int, width: int) -> bytes:
        """The ``width * 32`` bytes of tile ``(level, index)`` of that width."""
        path = tile_path(level, index, width)
        data, from_full = self._get_or_full(path, width < TILE_WIDTH, (level, index))
        want = TILE_WIDTH * HASH if from_full else width * HASH
        if len(data) != want:
            kind = "truncated" if len(data) < want else "too long"
            name = tile_path(level, index) if from_full else path
            raise VerificationFailed(name, f"{len(data)} bytes, want {want} ({kind})")
        return data[: width * HASH] if from_full else data

    def bundle_data(self, index: int, width: int) -> tuple[bytes, int, str]:
        """The raw bytes of entry bundle ``index`` of ``width`` entries, not yet parsed.

        Returns ``(data, count, name)``: ``count`` is how many entries ``data``
        must hold (``width``, or 256 when the partial bundle is gone and the full
        one is read instead: its first ``width`` entries are the ones wanted) and
        ``name`` how problems name that file (:func:`bundle_name`).
        """
        path = entries_path(index, width)
        data, from_full = self._get_or_full(path, width < TILE_WIDTH, index)
        count = TILE_WIDTH if from_full else width
        return data, count, bundle_name(index, count)

    def bundle(self, index: int, width: int) -> list[bytes]:
        """The ``width`` entries of entry bundle ``index`` of that width."""
        data, count, name = self.bundle_data(index, width)
        return parse_bundle(data, name, count)[:width]


#: A fetched bundle: ``(data, count, name)`` (see :meth:`TileSource.bundle_data`) or
#: why it could not be fetched.
Fetched = tuple[bytes, int, str] | VerificationFailed | FetchError


def fetch_ahead(
    source: TileSource, bundles: Iterable[Bundle], hasher: BundleHasher, depth: int
) -> Iterator[tuple[Bundle, Fetched]]:
    """``bundles`` with their bytes, each fetched and queued on ``hasher`` ``depth`` bundles early.

    So the next bundles are being hashed (by workers) while the caller checks
    an older one; the caller takes each one's hashes from ``hasher.result()``,
    in order, when its item is a tuple (only those are queued). Fetch failures
    are yielded in place, to be reported in order. At most ``depth + 1``
    bundles are held. Holding a few buffers alive also lets the allocator reuse
    their memory rather than return it to the system and fault fresh pages in
    for every bundle (measured: ~100 us per 150 kB bundle on the build machine).
    """
    ahead: deque[tuple[Bundle, Fetched]] = deque()
    for bundle in bundles:
        fetched: Fetched
        try:
            fetched = source.bundle_data(bundle.index, bundle.width)
        except (VerificationFailed, FetchError) as exc:
            fetched = exc.with_traceback(None)
        else:
            hasher.submit(*fetched)
        ahead.append((bundle, fetched))
        if len(ahead) > depth:
            yield ahead.popleft()
    while ahead:
        yield ahead.popleft()


# ---------------------------------------------------------------------- hashing workers

#: A request: entries the bundle must hold, then the bundle's length in bytes.
_REQUEST = struct.Struct(">HI")
#: An answer: 0 (leaf hashes + subtree hash follow) or 1 (the reason follows), length.
_ANSWER = struct.Struct(">BI")
#: The largest answer: 256 leaf hashes and their subtree hash (a reason is far shorter).
_MAX_ANSWER = _ANSWER.size + (TILE_WIDTH + 1) * HASH
#: Answers a worker may have written that we have not read yet. Its answer pipe must
#: hold them all, so a worker never blocks writing one while we block writing it a
#: request: that is what rules out a deadlock.
_MAX_UNREAD = 4
#: Room asked for in a request pipe (Linux ``F_SETPIPE_SZ``): a few bundles in flight.
_PIPE_SIZE = 1 << 20
#: Larger bundles cannot be well formed (256 entries of at most 65,537 bytes): they
#: are refused by the hasher in this process, which stops reading at the 256th entry.
_MAX_BUNDLE = TILE_WIDTH * (2 + MAX_ENTRY_SIZE)


@dataclass
class _Worker:
    pid: int
    requests: int  # write end, ours
    answers: int  # read end, ours
    unread: int = 0  # requests sent whose answers are still in the pipe
    stash: deque[tuple[int, bytes]] = field(default_factory=deque)  # answers read early


def _single_threaded() -> bool:
    """Whether this process has exactly one thread (OS threads, not only Python's)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _read_exact(fd: int, n: int) -> bytes:
    """Exactly ``n`` bytes from ``fd``; raises ``EOFError`` if it ends first."""
    chunks: list[bytes] = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError("the pipe closed mid-message")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_into(fd: int, view: memoryview) -> bool:
    """Fill ``view`` from ``fd``: False on a clean end before any byte, ``EOFError`` mid-way."""
    got, n = 0, len(view)
    while got < n:
        k = os.readv(fd, [view[got:]])
        if not k:
            if got:
                raise EOFError("the pipe closed mid-message")
            return False
        got += k
    return True


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _serve(requests: int, answers: int) -> None:
    """A worker's loop: answer each ``(count, bundle)`` request until the pipe closes.

    The bundle is read into one reused buffer (no fresh allocation per bundle).
    """
    head = bytearray(_REQUEST.size)
    buf = bytearray(1 << 20)
    while _read_into(requests, memoryview(head)):
        count, size = _REQUEST.unpack(head)
        if size > len(buf):
            buf = bytearray(size)
        with memoryview(buf)[:size] as view:
            if size and not _read_into(requests, view):
                raise EOFError("the pipe closed mid-message")
            try:
                hashes = bundle_leaf_hashes(view, count)
            except BundleError as exc:
                status, payload = 1, exc.reason.encode()
            else:
                top = subtree_of(hashes) if count == TILE_WIDTH else b""
                status, payload = 0, b"".join([*hashes, top])
        _write_all(answers, _ANSWER.pack(status, len(payload)) + payload)


def _fork_worker(others: list[_Worker]) -> _Worker | None:
    """Fork one worker (None if the system refuses a process or a large enough pipe)."""
    import fcntl  # Linux only, like the workers

    req_r, req_w = os.pipe()
    ans_r, ans_w = os.pipe()
    try:
        with contextlib.suppress(OSError):  # only speed depends on it
            fcntl.fcntl(req_w, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        need = _MAX_UNREAD * _MAX_ANSWER
        if fcntl.fcntl(ans_w, fcntl.F_GETPIPE_SZ) < need:
            fcntl.fcntl(ans_w, fcntl.F_SETPIPE_SZ, need)
        pid = os.fork()
    except OSError:
        for fd in (req_r, req_w, ans_r, ans_w):
            os.close(fd)
        return None
    if pid == 0:  # the worker: never returns into the caller's code
        code = 1
        try:
            os.close(req_w)
            os.close(ans_r)
            for other in others:  # else it would keep their pipes open
                os.close(other.requests)
                os.close(other.answers)
            _serve(req_r, ans_w)
            code = 0
        finally:
            os._exit(code)
    os.close(req_r)
    os.close(ans_w)
    return _Worker(pid, req_w, ans_r)


class BundleHasher:
    """:func:`hash_bundle_row` over a stream of bundles, answered in submission order.

    ``BundleHasher(workers)`` forks ``workers`` worker processes when that is
    safe (``workers >= 2``, Linux, a single-threaded process) and hashes in this
    process otherwise; :attr:`workers` says how many it runs (0: in-process).
    :meth:`submit` queues a bundle; :meth:`result` returns the oldest queued
    bundle's ``(row, top)`` or raises :class:`VerificationFailed` for it, exactly
    as :func:`hash_bundle_row` would. The caller bounds how many bundles are
    queued (each is held until its result is taken). A worker that dies is not
    an error: every bundle it had is hashed again here, and so is every later
    one. Use it as a context manager (or call :meth:`close`): the workers are
    ended and reaped on exit.
    """

    def __init__(self, workers: int = 1) -> None:
        self._queue: deque[tuple[_Worker | None, bytes, int, str]] = deque()
        self._pool: list[_Worker] = []
        self._turn = 0
        if workers > 1 and sys.platform == "linux" and _single_threaded():
            while len(self._pool) < workers and (worker := _fork_worker(self._pool)):
                self._pool.append(worker)

    @property
    def workers(self) -> int:
        """How many worker processes hash (0: this process does)."""
        return len(self._pool)

    def submit(self, data: bytes, count: int, name: str) -> None:
        """Queue bundle ``data`` that must hold ``count`` entries (``name`` for errors)."""
        worker = None
        if self._pool and len(data) <= _MAX_BUNDLE:
            worker = self._pool[self._turn % len(self._pool)]
            self._turn += 1
            try:
                while worker.unread >= _MAX_UNREAD:  # keep its answer pipe from filling
                    worker.stash.append(self._answer(worker))
                _write_all(worker.requests, _REQUEST.pack(count, len(data)))
                _write_all(worker.requests, data)
                worker.unread += 1
            except (OSError, EOFError):  # the worker is gone: hash everything here from now on
                self.close()
                worker = None
        self._queue.append((worker, data, count, name))

    @staticmethod
    def _answer(worker: _Worker) -> tuple[int, bytes]:
        status, size = _ANSWER.unpack(_read_exact(worker.answers, _ANSWER.size))
        payload = _read_exact(worker.answers, size)
        worker.unread -= 1
        return status, payload

    def result(self) -> tuple[bytes, bytes | None]:
        """``(row, top)`` of the oldest queued bundle (see :func:`hash_bundle_row`)."""
        worker, data, count, name = self._queue.popleft()
        if worker is not None and self._pool:
            try:
                status, payload = worker.stash.popleft() if worker.stash else self._answer(worker)
            except (OSError, EOFError):  # the worker is gone: hash everything here from now on
                self.close()
            else:
                if status:
                    raise VerificationFailed(name, payload.decode())
                end = count * HASH
                return payload[:end], payload[end:] or None
        return hash_bundle_row(data, count, name)

    def close(self) -> None:
        """End and reap the workers (idempotent); later bundles are hashed here."""
        pool, self._pool = self._pool, []
        for worker in pool:
            for fd in (worker.requests, worker.answers):
                with contextlib.suppress(OSError):
                    os.close(fd)  # end of requests; an answer being written fails
        for worker in pool:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)

    def __enter__(self) -> BundleHasher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
