"""Tile layout: the C2SP ``tlog-tiles`` paths of a published log, as pure path math.

A tiled log serves ``checkpoint``, Merkle tree tiles at ``tile/<L>/<N>[.p/<W>]`` and
entry bundles at ``tile/entries/<N>[.p/<W>]``. ``<L>`` is the tile level (0-63),
``<N>`` the tile index written in zero-padded 3-digit groups, all but the last
prefixed with ``x`` (1234067 is ``x001/x234/067``), and ``.p/<W>`` marks a partial
tile of width ``W`` (1-255). A full tile holds 256 hashes; a tile at level ``l``
is the bottom row of a height-8 subtree whose leaves are tree level ``8 * l``.

This module also owns the entry bundle *format*: a bundle is the sequence of
its entries, each prefixed with its length as a big-endian ``uint16`` (so an
entry is at most :data:`MAX_ENTRY_SIZE` bytes and a bundle holds at most 256
entries). :func:`bundle_to_bytes` and :func:`bundle_from_bytes` convert it both
ways, strictly; :func:`bundle_leaf_hashes` parses and RFC 6962 leaf-hashes a
bundle in one pass (the hot loop of a full audit).

Example::

    >>> tile_path(0, 1234067, 8)
    'tile/0/x001/x234/067.p/8'
    >>> list(tiles_for_size(256))
    [Tile(level=0, index=0, width=256), Tile(level=1, index=0, width=1)]
    >>> bundle_to_bytes([b"", b"ab"])
    b'\\x00\\x00\\x00\\x02ab'
    >>> bundle_from_bytes(b"\\x00\\x00\\x00\\x02ab", width=2)
    [b'', b'ab']

Nothing here does I/O. Source: https://c2sp.org/tlog-tiles (C2SP/C2SP
``tlog-tiles.md``). Imports nothing from the rest of ``truce``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "CHECKPOINT_PATH",
    "MAX_ENTRY_SIZE",
    "MAX_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Bundle",
    "BundleError",
    "Tile",
    "TileError",
    "blob_path",
    "bundle_for_entry",
    "bundle_from_bytes",
    "bundle_leaf_hashes",
    "bundle_to_bytes",
    "entries_path",
    "entry_bundles_for_size",
    "format_index",
    "new_tiles",
    "node_tile",
    "parse_entries_path",
    "parse_index",
    "parse_tile_path",
    "tile_path",
    "tile_width",
    "tiles_for_size",
]

#: Tree levels spanned by one tile.
TILE_HEIGHT = 8
#: Hashes in a full tile (entries in a full bundle).
TILE_WIDTH = 1 << TILE_HEIGHT
#: Highest tile level a path may name.
MAX_LEVEL = 63
#: Path of the signed checkpoint, relative to the log prefix.
CHECKPOINT_PATH = "checkpoint"
#: Largest entry an entry bundle can hold: its length prefix is a big-endian uint16.
MAX_ENTRY_SIZE = 0xFFFF

_MAX_SIZE = (1 << 64) - 1
_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class TileError(ValueError):
    """A tile level, index, width, tree size or path is out of range or malformed."""


class BundleError(TileError):
    """An entry bundle that cannot be encoded or decoded.

    ``reason`` (also ``str(err)``) says exactly what is wrong, e.g. ``"truncated:
    entry 7 claims 600 bytes, only 12 remain"``; ``entry`` is the position in the
    bundle (from 0) of the entry at fault, or None when the fault is the bundle's
    entry count.
    """

    def __init__(self, reason: str, *, entry: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.entry = entry


@dataclass(frozen=True, slots=True)
class Tile:
    """A Merkle tree tile: ``level``, ``index`` within the level and ``width`` in hashes.

    Construction validates the fields (level 0-63, index >= 0, width 1-256);
    ``level, index, width = tile`` unpacks it.
    """

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        _check_int(self.level, "tile level", 0, MAX_LEVEL)
        _check_int(self.index, "tile index", 0)
        _check_int(self.width, "tile width", 1, TILE_WIDTH)

    def __iter__(self) -> Iterator[int]:
        return iter((self.level, self.index, self.width))

    @property
    def path(self) -> str:
        """The tile's path, e.g. ``tile/0/x001/x234/067.p/8``."""
        return tile_path(self.level, self.index, self.width)

    @property
    def is_partial(self) -> bool:
        """Whether the tile holds fewer than 256 hashes."""
        return self.width < TILE_WIDTH

    @property
    def start(self) -> int:
        """Index of the first entry the tile spans: ``index * 256**(level+1)``."""
        return self.index << (TILE_HEIGHT * (self.level + 1))

    @property
    def end(self) -> int:
        """One past the last entry the tile's hashes span (``start + width * 256**level``)."""
        return self.start + (self.width << (TILE_HEIGHT * self.level))


@dataclass(frozen=True, slots=True)
class Bundle:
    """An entry bundle: ``index`` and ``width`` in entries (entries ``index*256 ...``).

    Construction validates the fields (index >= 0, width 1-256); ``index, width =
    bundle`` unpacks it.
    """

    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        _check_int(self.index, "bundle index", 0)
        _check_int(self.width, "bundle width", 1, TILE_WIDTH)

    def __iter__(self) -> Iterator[int]:
        return iter((self.index, self.width))

    @property
    def path(self) -> str:
        """The bundle's path, e.g. ``tile/entries/x001/x234/067``."""
        return entries_path(self.index, self.width)

    @property
    def is_partial(self) -> bool:
        """Whether the bundle holds fewer than 256 entries."""
        return self.width < TILE_WIDTH

    @property
    def start(self) -> int:
        """Index of the bundle's first entry."""
        return self.index * TILE_WIDTH

    @property
    def end(self) -> int:
        """One past the index of the bundle's last entry."""
        return self.start + self.width


def _check_int(value: int, name: str, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TileError(f"{name} must be an integer, not {value!r}")
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and {high}"
        raise TileError(f"{name} must be between {low}{upper}, not {value}")


def format_index(index: int) -> str:
    """The path form of a tile index: 3-digit groups, all but the last prefixed ``x``."""
    _check_int(index, "tile index", 0)
    digits = str(index)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def parse_index(text: str) -> int:
    """The tile index written as ``text``; only the canonical form is accepted.

    Raises :class:`TileError` unless ``text`` is exactly :func:`format_index` of
    some index (so ``x000/001`` and ``1`` are rejected).
    """
    if not _INDEX.fullmatch(text) or text.startswith("x000/"):
        raise TileError(f"{text!r} is not a tile index path")
    return int(text.replace("x", "").replace("/", ""))


def _suffix(width: int) -> str:
    _check_int(width, "tile width", 1, TILE_WIDTH)
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path ``tile/<L>/<N>[.p/<W>]`` of a tile; width 256 means a full tile."""
    _check_int(level, "tile level", 0, MAX_LEVEL)
    return f"tile/{level}/{format_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """The path ``tile/entries/<N>[.p/<W>]`` of an entry bundle; 256 means full."""
    return f"tile/entries/{format_index(index)}{_suffix(width)}"


def _parse_rest(rest: str, path: str) -> tuple[int, int]:
    index_text, partial, width_text = rest.partition(".p/")
    width = TILE_WIDTH
    if partial:
        if not _WIDTH.fullmatch(width_text) or int(width_text) >= TILE_WIDTH:
            raise TileError(f"{path!r}: partial width must be 1-255 without leading zeros")
        width = int(width_text)
    try:
        return parse_index(index_text), width
    except TileError:
        raise TileError(f"{path!r}: malformed tile index {index_text!r}") from None


def parse_tile_path(path: str) -> Tile:
    """The tile at ``tile/<L>/<N>[.p/<W>]`` (relative, canonical form only).

    Raises :class:`TileError` unless ``path`` is exactly what :func:`tile_path`
    produces for some tile (entry bundle paths are rejected).
    """
    parts = path.split("/", 2)
    if (
        len(parts) != 3
        or parts[0] != "tile"
        or not _LEVEL.fullmatch(parts[1])
        or int(parts[1]) > MAX_LEVEL
    ):
        raise TileError(f"{path!r} is not a tile path tile/<level 0-63>/<index>[.p/<width>]")
    index, width = _parse_rest(parts[2], path)
    return Tile(int(parts[1]), index, width)


def parse_entries_path(path: str) -> Bundle:
    """The entry bundle at ``tile/entries/<N>[.p/<W>]`` (relative, canonical form only).

    Raises :class:`TileError` unless ``path`` is exactly what :func:`entries_path`
    produces for some bundle.
    """
    prefix = "tile/entries/"
    if not path.startswith(prefix):
        raise TileError(f"{path!r} is not an entry bundle path tile/entries/<index>")
    index, width = _parse_rest(path[len(prefix) :], path)
    return Bundle(index, width)


def blob_path(sha256_hex: str) -> str:
    """The path ``blob/<sha256>`` of a blob published beside the log (not a tlog-tiles file).

    A record references a large file (e.g. an agreement's geography) by its
    SHA-256; the file is published at this path, relative to the log prefix.
    Raises :class:`TileError` unless ``sha256_hex`` is 64 lowercase hex digits.
    """
    if not isinstance(sha256_hex, str) or not _SHA256_HEX.fullmatch(sha256_hex):
        raise TileError(f"{sha256_hex!r} is not a SHA-256 in lowercase hex")
    return f"blob/{sha256_hex}"


def _check_size(size: int, name: str = "tree size") -> None:
    _check_int(size, name, 0, _MAX_SIZE)


def tile_width(level: int, index: int, size: int) -> int:
    """The number of hashes (1-256) of tile ``(level, index)`` in a tree of ``size``.

    The partial tile at level ``l`` has ``floor(size / 256**l) mod 256`` hashes.
    Raises :class:`TileError` if that tile is empty (does not exist) at ``size``.
    """
    _check_int(level, "tile level", 0, MAX_LEVEL)
    _check_int(index, "tile index", 0)
    _check_size(size)
    hashes = size >> (TILE_HEIGHT * level)
    width = min(TILE_WIDTH, hashes - index * TILE_WIDTH)
    if width <= 0:
        raise TileError(f"tile {level}/{index} is empty in a tree of size {size}")
    return width


def _level_tiles(level: int, old_hashes: int, new_hashes: int) -> Iterator[Tile]:
    """Tiles of ``level`` present with ``new_hashes`` hashes but not ``old_hashes``."""
    if old_hashes == new_hashes:
        return
    for index in range(old_hashes // TILE_WIDTH, new_hashes // TILE_WIDTH):
        yield Tile(level, index)
    if new_hashes % TILE_WIDTH:
        yield Tile(level, new_hashes // TILE_WIDTH, new_hashes % TILE_WIDTH)


def new_tiles(old_size: int, new_size: int) -> Iterator[Tile]:
    """The tiles of a tree of ``new_size`` that a tree of ``old_size`` does not have.

    These are exactly the tiles a log must write when growing from ``old_size`` to
    ``new_size`` (new full tiles and the new partial tiles), level by level from 0,
    index ascending. Raises :class:`TileError` at once if ``old_size > new_size``.
    """
    _check_size(old_size, "old size")
    _check_size(new_size, "new size")
    if old_size > new_size:
        raise TileError(f"old size {old_size} is larger than new size {new_size}")
    return _new_tiles(old_size, new_size)


def _new_tiles(old_size: int, new_size: int) -> Iterator[Tile]:
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        shift = TILE_HEIGHT * level
        yield from _level_tiles(level, old_size >> shift, new_size >> shift)
        level += 1


def tiles_for_size(size: int) -> Iterator[Tile]:
    """Every tile of a tree of ``size``: per level from 0, full tiles then the partial one.

    A tree of 70,000 entries has 273 full level-0 tiles, a level-0 tile of width
    112, a full level-1 tile, a level-1 tile of width 17 and a level-2 tile of width 1.
    """
    return new_tiles(0, size)


def entry_bundles_for_size(size: int) -> Iterator[Bundle]:
    """Every entry bundle of a log of ``size`` entries, full ones then the partial one."""
    _check_size(size)
    return _bundles(size)


def _bundles(size: int) -> Iterator[Bundle]:
    for index in range(size // TILE_WIDTH):
        yield Bundle(index)
    if size % TILE_WIDTH:
        yield Bundle(size // TILE_WIDTH, size % TILE_WIDTH)


def bundle_for_entry(entry: int, size: int) -> Bundle:
    """The entry bundle holding entry number ``entry`` in a log of ``size`` entries.

    Raises :class:`TileError` unless ``0 <= entry < size``.
    """
    _check_size(size)
    _check_int(entry, "entry index", 0)
    if entry >= size:
        raise TileError(f"entry {entry} is not in a log of size {size}")
    index = entry // TILE_WIDTH
    return Bundle(index, min(TILE_WIDTH, size - index * TILE_WIDTH))


def node_tile(tree_level: int, tree_index: int) -> tuple[int, int, int, int]:
    """Where the RFC 6962 node ``(tree_level, tree_index)`` lives in the tiles.

    Returns ``(tile_level, tile_index, node_level, node_index)``: the node is the
    hash of the ``2**node_level`` hashes starting at ``node_index * 2**node_level``
    in the bottom row of tile ``(tile_level, tile_index)`` (itself the hash stored
    there when ``node_level == 0``). Tree level 0 holds the leaf hashes.
    """
    _check_int(tree_level, "tree level", 0, TILE_HEIGHT * (MAX_LEVEL + 1) - 1)
    _check_int(tree_index, "tree index", 0)
    tile_level, node_level = divmod(tree_level, TILE_HEIGHT)
    row_width = TILE_WIDTH >> node_level
    tile_index, node_index = divmod(tree_index, row_width)
    return tile_level, tile_index, node_level, node_index


# ---------------------------------------------------------------------- entry bundles

_LEAF_PREFIX = hashlib.sha256(b"\x00")  # primed RFC 6962 leaf hasher, copied per entry


def bundle_to_bytes(entries: Iterable[bytes | bytearray | memoryview]) -> bytes:
    """The C2SP ``tlog-tiles`` entry bundle of ``entries``: each a big-endian uint16 length + bytes.

    Guarantees ``bundle_from_bytes(bundle_to_bytes(entries)) == list(entries)``.
    Raises :class:`BundleError` (``entry`` set to the entry's position) for an
    entry that is not bytes-like or is longer than :data:`MAX_ENTRY_SIZE` bytes,
    and (``entry`` None) for more than 256 entries.
    """
    parts: list[bytes] = []
    append = parts.append
    for i, entry in enumerate(entries):
        if i == TILE_WIDTH:
            raise BundleError(
                f"more than {TILE_WIDTH} entries: a bundle holds at most {TILE_WIDTH}"
            )
        if type(entry) is not bytes:
            if not isinstance(entry, bytes | bytearray | memoryview):
                raise BundleError(f"must be bytes, not {type(entry).__name__}", entry=i)
            entry = bytes(entry)
        n = len(entry)
        if n > MAX_ENTRY_SIZE:
            raise BundleError(
                f"is {n} bytes; a tlog-tiles entry bundle length-prefixes entries "
                f"with a uint16, so an entry can be at most {MAX_ENTRY_SIZE} bytes",
                entry=i,
            )
        append(n.to_bytes(2, "big"))
        append(entry)
    return b"".join(parts)


def _limit(width: int | None) -> int:
    if width is None:
        return TILE_WIDTH
    _check_int(width, "bundle width", 1, TILE_WIDTH)
    return width


def _bundle_fault(count: int, pos: int, end: int, remain: int, width: int | None) -> BundleError:
    """Why a bundle of ``end`` bytes is refused, parsing having stopped at ``pos``.

    ``count`` entries were read; ``remain`` is how many bytes of the last one
    were there (relevant only when it runs past the end, ``pos > end``).
    """
    if pos > end:  # the last entry runs past the end
        return BundleError(
            f"truncated: entry {count - 1} claims {remain + pos - end} bytes, only {remain} remain",
            entry=count - 1,
        )
    if pos < end:  # bytes left after the limit
        if width is None:
            return BundleError(
                f"holds more than {TILE_WIDTH} entries ({end - pos} bytes follow entry "
                f"{TILE_WIDTH - 1}); a bundle holds at most {TILE_WIDTH}"
            )
        return BundleError(
            f"holds more entries than the {width} wanted "
            f"({end - pos} trailing bytes after entry {width - 1})"
        )
    return BundleError(f"holds {count} entries, want {width}")


def _cut_prefix(count: int, pos: int) -> BundleError:
    return BundleError(
        f"truncated: entry {count} has a cut length prefix at byte {pos}", entry=count
    )


def bundle_from_bytes(data: bytes, width: int | None = None) -> list[bytes]:
    """The entries of the C2SP ``tlog-tiles`` entry bundle ``data``, in order.

    Strict: every byte of ``data`` belongs to exactly one length prefix or entry.
    Raises :class:`BundleError` if a length prefix is cut or an entry runs past
    the end (``truncated: ...``), if the bundle holds more than 256 entries, and,
    when ``width`` (1-256) is given, unless it holds exactly ``width`` entries.
    An empty ``data`` is the bundle of no entries (refused when ``width`` is given).
    """
    limit = _limit(width)
    entries: list[bytes] = []
    append = entries.append
    pos, end, last = 0, len(data), 0
    for _ in range(limit):
        if pos >= end:
            break
        try:
            start = pos + 2
            last = data[pos] << 8 | data[pos + 1]
        except IndexError:  # data[pos + 1]: the length prefix is cut
            raise _cut_prefix(len(entries), pos) from None
        pos = start + last
        append(data[start:pos])
    if pos != end or (width is not None and len(entries) != width):
        raise _bundle_fault(len(entries), pos, end, end - (pos - last), width)
    return entries


def bundle_leaf_hashes(
    data: bytes | bytearray | memoryview, width: int | None = None
) -> list[bytes]:
    """The RFC 6962 leaf hashes ``SHA-256(0x00 || entry)`` of the entries of bundle ``data``.

    Equal to ``[leaf_hash(e) for e in bundle_from_bytes(data, width)]`` and raises
    exactly what :func:`bundle_from_bytes` raises, but parses and hashes in one
    pass without copying the entries (the hot loop of a full audit: the fewest
    interpreter steps per entry). No work is done past the 256th (or
    ``width``-th) entry.
    """
    limit = _limit(width)
    view = memoryview(data)
    copy = _LEAF_PREFIX.copy
    hashes: list[bytes] = []
    append = hashes.append
    pos, end, start = 0, len(data), 0
    try:
        for _ in range(limit):
            if pos >= end:
                break
            start = pos + 2
            pos = start + (data[pos] << 8 | data[pos + 1])
            h = copy()
            h.update(view[start:pos])
            append(h.digest())
    except IndexError:  # data[pos + 1]: the length prefix is cut
        raise _cut_prefix(len(hashes), pos) from None
    finally:
        view.release()
    if pos != end or (width is not None and len(hashes) != width):
        raise _bundle_fault(len(hashes), pos, end, min(pos, end) - start, width)
    return hashes
