"""Tile layout: the C2SP ``tlog-tiles`` paths of a published log, as pure path math.

A tiled log serves ``checkpoint``, Merkle tree tiles at ``tile/<L>/<N>[.p/<W>]`` and
entry bundles at ``tile/entries/<N>[.p/<W>]``. ``<L>`` is the tile level (0-63),
``<N>`` the tile index written in zero-padded 3-digit groups, all but the last
prefixed with ``x`` (1234067 is ``x001/x234/067``), and ``.p/<W>`` marks a partial
tile of width ``W`` (1-255). A full tile holds 256 hashes; a tile at level ``l``
is the bottom row of a height-8 subtree whose leaves are tree level ``8 * l``.

Example::

    >>> tile_path(0, 1234067, 8)
    'tile/0/x001/x234/067.p/8'
    >>> list(tiles_for_size(256))
    [Tile(level=0, index=0, width=256), Tile(level=1, index=0, width=1)]

Nothing here does I/O. Source: https://c2sp.org/tlog-tiles (C2SP/C2SP
``tlog-tiles.md``). Imports nothing from the rest of ``truce``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CHECKPOINT_PATH",
    "MAX_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Bundle",
    "Tile",
    "TileError",
    "bundle_for_entry",
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

_MAX_SIZE = (1 << 64) - 1
_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}")


class TileError(ValueError):
    """A tile level, index, width, tree size or path is out of range or malformed."""


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
