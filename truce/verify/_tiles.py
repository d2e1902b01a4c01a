"""Reading tiles and entry bundles through a fetcher: sizes checked, partial fallback, cache.

Private to :mod:`truce.verify`. A :class:`TileSource` returns the raw bytes of
tile ``(level, index, width)`` and the entries of a bundle, checking only what
the file itself must satisfy (its length, the bundle encoding); whether the
hashes are right is the caller's business (authentication in
:mod:`truce.verify.log`, recomputation in :mod:`truce.verify.audit`).

Following C2SP ``tlog-tiles`` ("clients ... MAY fetch the full tile ... as a
fallback in case the partial tile is not available anymore"), a missing partial
tile or bundle is replaced by the prefix of the full one when that exists.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

from truce.ledger.tiles import TILE_WIDTH, entries_path, tile_path
from truce.verify._errors import MissingFile, VerificationFailed
from truce.verify.fetch import Fetcher

__all__ = [
    "HASH",
    "TileSource",
    "bundle_name",
    "hash_bundle",
    "leaf_hashes",
    "parse_bundle",
    "subtree_hash",
    "subtree_of",
]

HASH = 32
_sha256 = hashlib.sha256


def leaf_hashes(entries: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 leaf hashes ``SHA-256(0x00 || entry)`` of ``entries``, in order."""
    sha = _sha256
    return [sha(b"\x00" + e).digest() for e in entries]


def subtree_hash(row: bytes) -> bytes:
    """MTH of the ``2**k`` concatenated 32-byte hashes in ``row`` (a complete subtree)."""
    n = len(row) // HASH
    if n == 0 or n & (n - 1) or len(row) % HASH:
        raise ValueError(f"a complete subtree needs 2**k hashes, not {len(row)} bytes")
    return subtree_of([row[i : i + HASH] for i in range(0, len(row), HASH)])


def subtree_of(hashes: list[bytes]) -> bytes:
    """MTH of a list of ``2**k`` 32-byte hashes (a complete subtree), k >= 0."""
    sha = _sha256
    level = hashes
    while len(level) > 1:
        pairs = iter(level)  # a power of two: every left has its right
        level = [sha(b"\x01" + a + b).digest() for a, b in zip(pairs, pairs, strict=False)]
    return level[0]


def bundle_name(index: int, width: int) -> str:
    """How problems name an entry bundle: ``entries bundle 3 (tile/entries/003)``."""
    return f"entries bundle {index} ({entries_path(index, width)})"


def parse_bundle(data: bytes, what: str) -> list[bytes]:
    """Split a C2SP ``tlog-tiles`` entry bundle into its entries.

    Raises :class:`VerificationFailed` (``what``) if a length prefix or an entry
    runs past the end of ``data``.
    """
    entries: list[bytes] = []
    hash_bundle(data, what, entries)
    return entries


def hash_bundle(data: bytes, what: str, entries: list[bytes] | None = None) -> list[bytes]:
    """The leaf hashes of the entries of bundle ``data``; appends the entries to ``entries``.

    Raises :class:`VerificationFailed` (``what``) if a length prefix or an entry
    runs past the end of ``data``. (The hot loop of :func:`~truce.verify.audit.fsck`:
    kept to the fewest interpreter steps per entry.)
    """
    sha = _sha256
    hashes: list[bytes] = []
    append = hashes.append
    pos, end = 0, len(data)
    entry = b""
    try:
        if entries is None:
            while pos < end:
                stop = pos + 2 + (data[pos] << 8 | data[pos + 1])
                entry = data[pos + 2 : stop]
                append(sha(b"\x00" + entry).digest())
                pos = stop
        else:
            keep = entries.append
            while pos < end:
                stop = pos + 2 + (data[pos] << 8 | data[pos + 1])
                entry = data[pos + 2 : stop]
                append(sha(b"\x00" + entry).digest())
                keep(entry)
                pos = stop
    except IndexError:  # data[pos + 1]: the length prefix is cut
        raise VerificationFailed(
            what, f"truncated: entry {len(hashes)} has a cut length prefix at byte {pos}"
        ) from None
    if pos > end:  # the last entry runs past the end (it was hashed truncated: drop it)
        raise VerificationFailed(
            what,
            f"truncated: entry {len(hashes) - 1} claims {pos - end + len(entry)} bytes, "
            f"only {len(entry)} remain",
        )
    return hashes


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
        data = self._cache.get(path)
        if data is not None:
            self._cache.move_to_end(path)
            return data
        try:
            data = self._fetch(path)
        except FileNotFoundError:  # a hand-written fetcher may raise the builtin
            raise MissingFile(path) from None
        if not isinstance(data, bytes):
            raise TypeError(f"the fetcher returned {type(data).__name__} for {path}, not bytes")
        if self._cache_size:
            self._cache[path] = data
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return data

    def _get_or_full(self, partial: str, full: str, is_partial: bool) -> tuple[bytes, bool]:
        """The partial file, or the full one if the partial is gone (second item True)."""
        try:
            return self._get(partial), False
        except MissingFile:
            if not is_partial:
                raise VerificationFailed(partial, "missing") from None
        try:
            return self._get(full), True
        except MissingFile:
            raise VerificationFailed(
                partial, "missing (and no full tile to fall back on)"
            ) from None

    def tile(self, level: int, index: int, width: int) -> bytes:
        """The ``width * 32`` bytes of tile ``(level, index)`` of that width."""
        path = tile_path(level, index, width)
        data, from_full = self._get_or_full(path, tile_path(level, index), width < TILE_WIDTH)
        want = TILE_WIDTH * HASH if from_full else width * HASH
        if len(data) != want:
            kind = "truncated" if len(data) < want else "too long"
            name = tile_path(level, index) if from_full else path
            raise VerificationFailed(name, f"{len(data)} bytes, want {want} ({kind})")
        return data[: width * HASH] if from_full else data

    def bundle(self, index: int, width: int) -> list[bytes]:
        """The ``width`` entries of entry bundle ``index`` of that width."""
        entries: list[bytes] = []
        self.bundle_hashes(index, width, entries)
        return entries

    def bundle_hashes(
        self, index: int, width: int, entries: list[bytes] | None = None
    ) -> list[bytes]:
        """Leaf hashes of the ``width`` entries of bundle ``index``; entries go to ``entries``."""
        path = entries_path(index, width)
        data, from_full = self._get_or_full(path, entries_path(index), width < TILE_WIDTH)
        name = bundle_name(index, TILE_WIDTH if from_full else width)
        got: list[bytes] | None = None if entries is None else []
        hashes = hash_bundle(data, name, got)
        want = TILE_WIDTH if from_full else width
        if len(hashes) != want:
            raise VerificationFailed(name, f"holds {len(hashes)} entries, want {want}")
        if entries is not None and got is not None:
            entries.extend(got[:width])
        return hashes[:width]
