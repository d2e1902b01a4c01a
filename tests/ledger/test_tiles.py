"""Tile layout and the entry bundle format: spec examples, reference paths, tile math.

Vectors are copied from:

- C2SP/C2SP ``tlog-tiles.md``: index 1234067 is ``x001/x234/067``; the tiles of trees
  of size 70,000 and 256; ``floor(s / 256**l) mod 256`` partial widths.
- transparency-dev/tessera ``api/layout/paths.go`` (doc comment of
  ParseTileLevelIndexPartial: ``tile/0/x001/x234/067.p/8``).
- transparency-dev/trillian-tessera ``api/layout/paths_test.go``: TestEntriesPathForLogIndex,
  TestEntriesPath, TestTilePath, TestParseTileLevelIndexWidth.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.ledger.merkle import leaf_hash
from truce.ledger.tiles import (
    CHECKPOINT_PATH,
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    Bundle,
    BundleError,
    Tile,
    TileError,
    blob_path,
    bundle_for_entry,
    bundle_from_bytes,
    bundle_leaf_hashes,
    bundle_to_bytes,
    entries_path,
    entry_bundles_for_size,
    format_index,
    new_tiles,
    node_tile,
    parse_entries_path,
    parse_index,
    parse_tile_path,
    tile_path,
    tile_width,
    tiles_for_size,
)

MAX_SIZE = (1 << 64) - 1


def test_spec_examples() -> None:
    assert format_index(1234067) == "x001/x234/067"
    assert tile_path(0, 1234067, 8) == "tile/0/x001/x234/067.p/8"
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert entries_path(1234067) == "tile/entries/x001/x234/067"
    assert entries_path(1234067, 8) == "tile/entries/x001/x234/067.p/8"
    assert parse_tile_path("tile/0/x001/x234/067.p/8") == Tile(0, 1234067, 8)
    assert parse_entries_path("tile/entries/x001/x234/067") == Bundle(1234067, 256)
    assert CHECKPOINT_PATH == "checkpoint"


def test_spec_tree_of_70000() -> None:
    tiles = list(tiles_for_size(70_000))
    full = Counter(t.level for t in tiles if not t.is_partial)
    assert full == {0: 273, 1: 1}
    assert [t for t in tiles if t.is_partial] == [Tile(0, 273, 112), Tile(1, 1, 17), Tile(2, 0, 1)]


def test_spec_tree_of_256() -> None:
    assert list(tiles_for_size(256)) == [Tile(0, 0, 256), Tile(1, 0, 1)]
    assert list(tiles_for_size(0)) == []
    assert list(tiles_for_size(1)) == [Tile(0, 0, 1)]


@pytest.mark.parametrize(
    ("seq", "size", "path"),
    [  # trillian-tessera TestEntriesPathForLogIndex
        (0, 256, "tile/entries/000"),
        (255, 256, "tile/entries/000"),
        (251, 255, "tile/entries/000.p/255"),
        (256, 512, "tile/entries/001"),
        (256, 257, "tile/entries/001.p/1"),
        (123456789 * 256, 123456790 * 256, "tile/entries/x123/x456/789"),
    ],
)
def test_tessera_entries_path_for_log_index(seq: int, size: int, path: str) -> None:
    assert bundle_for_entry(seq, size).path == path


@pytest.mark.parametrize(
    ("index", "width", "path"),
    [  # trillian-tessera TestEntriesPath (partial width given instead of the log size)
        (0, 256, "tile/entries/000"),
        (0, 8, "tile/entries/000.p/8"),
        (255, 256, "tile/entries/255"),
        (255, 253, "tile/entries/255.p/253"),
        (256, 256, "tile/entries/256"),
        (123456789000, 256, "tile/entries/x123/x456/x789/000"),
    ],
)
def test_tessera_entries_path(index: int, width: int, path: str) -> None:
    assert entries_path(index, width) == path
    assert parse_entries_path(path) == Bundle(index, width)


@pytest.mark.parametrize(
    ("level", "index", "size", "path"),
    [  # trillian-tessera TestTilePath (the size-0 case names no existing tile: left out)
        (0, 0, 256, "tile/0/000"),
        (0, 0, 255, "tile/0/000.p/255"),
        (1, 0, MAX_SIZE, "tile/1/000"),
        (1, 0, 256, "tile/1/000.p/1"),
        (1, 0, 1024, "tile/1/000.p/4"),
        (15, 455667, MAX_SIZE, "tile/15/x455/667"),
        (3, 1234567, MAX_SIZE, "tile/3/x001/x234/567"),
        (15, 123456789, MAX_SIZE, "tile/15/x123/x456/789"),
    ],
)
def test_tessera_tile_path(level: int, index: int, size: int, path: str) -> None:
    # Levels above 7 have no hashes in a tree of < 2**64 entries; their paths still format.
    width = tile_width(level, index, size) if level < 8 else TILE_WIDTH
    assert tile_path(level, index, width) == path
    assert parse_tile_path(path) == Tile(level, index, width)


@pytest.mark.parametrize(
    ("level", "index", "want"),
    [  # trillian-tessera TestParseTileLevelIndexWidth
        ("0", "x001/x234/067", Tile(0, 1234067, 256)),
        ("0", "x001/x234/067.p/89", Tile(0, 1234067, 89)),
        ("63", "x999/x999/x999/x999/x999/999.p/255", Tile(63, 999999999999999999, 255)),
        ("0", "001", Tile(0, 1, 256)),
        ("0", "x001/x234/067.p/", None),
        ("0", "x001/x234/067.p", None),
        ("0", "x001/x234/", None),
        ("0", "x001/x234", None),
        ("0", "x001/", None),
        ("0", "x001", None),
        ("1", "x001/.p/abc", None),
        ("64", "x001/002", None),
        ("-1", "x001/002", None),
        ("abc", "x001/002", None),
        ("8", "001/002", None),
        ("8", "x001/0002", None),
        ("8", "x001/-002", None),
        ("8", "x001/002.p/256", None),
        # and the canonical-form rules of tlog-tiles
        ("00", "001", None),
        ("01", "001", None),
        ("0", "1", None),
        ("0", "x000/001", None),
        ("0", "X001/002", None),
        ("0", "001.p/0", None),
        ("0", "001.p/08", None),
        ("0", "001.p/8/", None),
        ("0", "001.p/8.p/8", None),
    ],
)
def test_tessera_parse_tile_path(level: str, index: str, want: Tile | None) -> None:
    path = f"tile/{level}/{index}"
    if want is None:
        with pytest.raises(TileError):
            parse_tile_path(path)
    else:
        assert parse_tile_path(path) == want
        assert want.path == path


@pytest.mark.parametrize(
    "path",
    [
        "tile/entries/001",  # an entry bundle is not a hash tile
        "/tile/0/001",
        "tile/0/001/",
        "tiles/0/001",
        "tile/0",
        "",
    ],
)
def test_parse_tile_path_rejects(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


@pytest.mark.parametrize(
    "path",
    ["tile/0/001", "tile/entries/", "tile/entries/1", "tile/entries/001.p/256", "entries/001"],
)
def test_parse_entries_path_rejects(path: str) -> None:
    with pytest.raises(TileError):
        parse_entries_path(path)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (tile_path, (64, 0)),
        (tile_path, (-1, 0)),
        (tile_path, (0, -1)),
        (tile_path, (0, 0, 0)),
        (tile_path, (0, 0, 257)),
        (tile_path, (True, 0)),
        (entries_path, (0, 0)),
        (format_index, (-5,)),
        (tile_width, (0, 1, 256)),  # the second level-0 tile is empty at size 256
        (tile_width, (0, 0, 0)),
        (tile_width, (0, 0, MAX_SIZE + 1)),
        (bundle_for_entry, (5, 5)),
        (new_tiles, (6, 5)),
        (tiles_for_size, (-1,)),
        (entry_bundles_for_size, (MAX_SIZE + 1,)),
    ],
)
def test_out_of_range_arguments(call: Callable[..., object], args: tuple[int, ...]) -> None:
    with pytest.raises(TileError):
        call(*args)


def test_tile_spans_follow_the_spec() -> None:
    # start index n * 256**(l+1), end index (n + 1) * 256**(l+1) for full tiles
    assert (Tile(0, 3).start, Tile(0, 3).end) == (768, 1024)
    assert (Tile(2, 1).start, Tile(2, 1).end) == (256**3, 2 * 256**3)
    assert (Tile(1, 1, 17).start, Tile(1, 1, 17).end) == (65536, 65536 + 17 * 256)
    assert (Bundle(2, 5).start, Bundle(2, 5).end) == (512, 517)


def test_node_tile() -> None:
    assert node_tile(0, 0) == (0, 0, 0, 0)
    assert node_tile(0, 300) == (0, 1, 0, 44)
    assert node_tile(3, 40) == (0, 1, 3, 8)  # 32 nodes per tile at sub-level 3
    assert node_tile(8, 5) == (1, 0, 0, 5)
    assert node_tile(17, 3) == (2, 0, 1, 3)


# Properties ---------------------------------------------------------------------------------

indexes = st.integers(min_value=0, max_value=10**24)
sizes = st.integers(min_value=0, max_value=MAX_SIZE)
small_sizes = st.integers(min_value=0, max_value=100_000)


@given(index=indexes)
def test_index_round_trip(index: int) -> None:
    text = format_index(index)
    assert parse_index(text) == index
    groups = text.split("/")
    assert all(len(g) == 4 and g[0] == "x" for g in groups[:-1])
    assert len(groups[-1]) == 3
    assert groups[0] != "x000"


@given(level=st.integers(0, 63), index=indexes, width=st.integers(1, 256))
def test_tile_path_round_trip(level: int, index: int, width: int) -> None:
    assert parse_tile_path(tile_path(level, index, width)) == Tile(level, index, width)
    assert parse_entries_path(entries_path(index, width)) == Bundle(index, width)


@given(size=small_sizes)
def test_tiles_cover_every_level(size: int) -> None:
    tiles = list(tiles_for_size(size))
    for level in range(8):
        widths = [t.width for t in tiles if t.level == level]
        assert sum(widths) == size >> (8 * level)
        assert all(w == 256 for w in widths[:-1])
    for tile in tiles:
        assert tile_width(tile.level, tile.index, size) == tile.width


@given(size=sizes, growth=st.integers(0, 1000))
def test_new_tiles_of_large_trees(size: int, growth: int) -> None:
    old, new = max(0, size - growth), size
    grown = list(new_tiles(old, new))
    for tile in grown:
        assert tile_width(tile.level, tile.index, new) == tile.width
    # Every level of the new tree that changed has its last tile among the new ones.
    for level in range(8):
        if old >> (8 * level) != new >> (8 * level):
            last = ((new >> (8 * level)) - 1) // 256
            assert Tile(level, last, tile_width(level, last, new)) in grown


@given(size=small_sizes)
def test_entry_bundles_match_level_zero_tiles(size: int) -> None:
    bundles = list(entry_bundles_for_size(size))
    assert [(b.index, b.width) for b in bundles] == [
        (t.index, t.width) for t in tiles_for_size(size) if t.level == 0
    ]
    for entry in {0, size // 2, size - 1} if size else set():
        bundle = bundle_for_entry(entry, size)
        assert bundle.start <= entry < bundle.end
        assert bundle in bundles


@given(a=small_sizes, b=small_sizes)
def test_new_tiles_are_the_difference(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    before = set(tiles_for_size(old))
    assert list(new_tiles(old, new)) == [t for t in tiles_for_size(new) if t not in before]


@given(tree_level=st.integers(0, 40), tree_index=indexes)
def test_node_tile_locates_the_node_span(tree_level: int, tree_index: int) -> None:
    tile_level, tile_index, node_level, node_index = node_tile(tree_level, tree_index)
    assert tree_level == 8 * tile_level + node_level
    tile = Tile(tile_level, tile_index)
    # The node spans the entries [tree_index * 2**tree_level, (tree_index + 1) * 2**tree_level),
    # which lie inside the tile and start at its node_index-th group of 2**node_level hashes.
    first = tree_index << tree_level
    assert tile.start <= first < tile.end
    assert first == tile.start + ((node_index << node_level) << (8 * tile_level))


# ---------------------------------------------------------------------- entry bundles
# tlog-tiles: "Entry bundles are sequences of big-endian uint16 length-prefixed log entries."


def test_bundle_to_bytes_is_big_endian_uint16_length_prefixed() -> None:
    assert bundle_to_bytes([b"", b"ab", b"x" * 258]) == (
        b"\x00\x00" + b"\x00\x02ab" + b"\x01\x02" + b"x" * 258
    )
    assert bundle_to_bytes([]) == b""
    assert bundle_to_bytes([bytearray(b"a"), memoryview(b"bc")]) == b"\x00\x01a\x00\x02bc"
    assert bundle_to_bytes([b"y" * MAX_ENTRY_SIZE])[:2] == b"\xff\xff"
    assert MAX_ENTRY_SIZE == 65535


def test_bundle_to_bytes_refuses_what_the_format_cannot_hold() -> None:
    with pytest.raises(BundleError, match="at most 65535 bytes") as err:
        bundle_to_bytes([b"a", b"b" * (MAX_ENTRY_SIZE + 1)])
    assert err.value.entry == 1
    with pytest.raises(BundleError, match="must be bytes, not str") as err:
        bundle_to_bytes([b"a", b"b", "c"])  # type: ignore[list-item]
    assert err.value.entry == 2
    with pytest.raises(BundleError, match="at most 256") as err:
        bundle_to_bytes(iter([b""] * (TILE_WIDTH + 1)))
    assert err.value.entry is None
    assert isinstance(err.value, TileError) and isinstance(err.value, ValueError)


@given(st.lists(st.binary(max_size=300), max_size=40))
def test_bundle_round_trip_and_leaf_hashes(entries: list[bytes]) -> None:
    data = bundle_to_bytes(entries)
    assert len(data) == sum(2 + len(e) for e in entries)
    assert bundle_from_bytes(data) == entries
    assert bundle_leaf_hashes(data) == [leaf_hash(e) for e in entries]
    assert bundle_leaf_hashes(memoryview(data)) == [leaf_hash(e) for e in entries]
    if entries:
        assert bundle_from_bytes(data, len(entries)) == entries
        assert bundle_leaf_hashes(bytearray(data), len(entries)) == [leaf_hash(e) for e in entries]


def test_a_full_bundle_of_the_largest_entries() -> None:
    entries = [bytes([k]) * MAX_ENTRY_SIZE for k in range(TILE_WIDTH)]
    data = bundle_to_bytes(entries)
    assert len(data) == TILE_WIDTH * (2 + MAX_ENTRY_SIZE)
    assert bundle_from_bytes(data, TILE_WIDTH) == entries
    assert bundle_leaf_hashes(data, TILE_WIDTH)[255] == leaf_hash(entries[255])


BAD_BUNDLES = [
    (b"\x00", None, "truncated: entry 0 has a cut length prefix at byte 0", 0),
    (b"\x00\x01a\x00", None, "truncated: entry 1 has a cut length prefix at byte 3", 1),
    (b"\x00\x05abc", None, "truncated: entry 0 claims 5 bytes, only 3 remain", 0),
    (
        b"\x00\x00\x01\x00" + b"z" * 10,
        None,
        "truncated: entry 1 claims 256 bytes, only 10 remain",
        1,
    ),
    (
        b"\x00\x00" * (TILE_WIDTH + 1),
        None,
        "holds more than 256 entries (2 bytes follow entry 255); a bundle holds at most 256",
        None,
    ),
    (
        b"\x00\x01a\x00\x01b",
        1,
        "holds more entries than the 1 wanted (3 trailing bytes after entry 0)",
        None,
    ),
    (b"\x00\x01a\x00\x01b", 3, "holds 2 entries, want 3", None),
    (b"", 1, "holds 0 entries, want 1", None),
    (b"\x00\x01a\x00", 2, "truncated: entry 1 has a cut length prefix at byte 3", 1),
]


@pytest.mark.parametrize(("data", "width", "reason", "entry"), BAD_BUNDLES)
def test_malformed_bundles_are_refused_by_name(
    data: bytes, width: int | None, reason: str, entry: int | None
) -> None:
    for parse in (bundle_from_bytes, bundle_leaf_hashes):
        with pytest.raises(BundleError) as err:
            parse(data, width)
        assert (err.value.reason, str(err.value), err.value.entry) == (reason, reason, entry)


@pytest.mark.parametrize("width", [0, 257, -1, True])
def test_bundle_width_must_be_1_to_256(width: int) -> None:
    for parse in (bundle_from_bytes, bundle_leaf_hashes):
        with pytest.raises(TileError, match="bundle width"):
            parse(b"\x00\x00", width)


def _outcome(parse: Callable[..., list[bytes]], data: bytes, width: int | None) -> object:
    try:
        return parse(data, width)
    except BundleError as exc:
        return (exc.reason, exc.entry)


@given(st.binary(max_size=64), st.one_of(st.none(), st.integers(1, 4)))
def test_parsing_and_hashing_agree_on_any_bytes(data: bytes, width: int | None) -> None:
    """The fused fast path accepts and refuses exactly what the strict parser does."""
    parsed = _outcome(bundle_from_bytes, data, width)
    hashed = _outcome(bundle_leaf_hashes, data, width)
    if isinstance(parsed, tuple):  # refused: by both, for the same reason
        assert hashed == parsed
    else:
        assert isinstance(parsed, list)
        assert hashed == [leaf_hash(e) for e in parsed]
        assert bundle_to_bytes(parsed) == data  # strict: every byte accounted for
        assert width is None or len(parsed) == width


def test_hashing_stops_at_the_width() -> None:
    """Past the 256th (or width-th) entry nothing is hashed: a flood is refused at once."""
    flood = b"\x00\x00" * 1_000_000
    with pytest.raises(BundleError, match="more than 256 entries"):
        bundle_leaf_hashes(flood)
    with pytest.raises(BundleError, match="1999996 trailing bytes after entry 1"):
        bundle_leaf_hashes(flood, 2)


def test_blob_path() -> None:
    sha = "0123456789abcdef" * 4
    assert blob_path(sha) == f"blob/{sha}"
    for bad in (sha.upper(), sha[:-1], sha + "0", "../" + sha[3:], 42):
        with pytest.raises(TileError, match="SHA-256"):
            blob_path(bad)  # type: ignore[arg-type]
