"""Blob references: shape, hash and size checks, and the batch check."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.blobs import MAX_BLOB_BYTES, Blob, blob_ref, check_blob_ref, check_blobs, resolve_blob
from truce.errors import ValidationError


@given(st.binary(max_size=4096))
def test_reference_round_trip(data: bytes) -> None:
    ref, blob = blob_ref(data)
    assert ref == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert blob == Blob(ref["sha256"], data)
    assert resolve_blob(ref, {blob.sha256: data}.get, field="f") == data


@given(st.binary(min_size=1, max_size=512), st.data())
def test_any_changed_byte_is_refused(data: bytes, draw: st.DataObject) -> None:
    ref, _ = blob_ref(data)
    i = draw.draw(st.integers(0, len(data) - 1))
    bit = draw.draw(st.integers(0, 7))
    changed = bytearray(data)
    changed[i] ^= 1 << bit
    with pytest.raises(ValidationError) as info:
        resolve_blob(ref, lambda _: bytes(changed), field="geography.zones[0].source.blob")
    assert info.value.field == "geography.zones[0].source.blob"
    assert "do not hash" in info.value.reason


def test_missing_and_wrong_size() -> None:
    ref, _ = blob_ref(b"abc")
    with pytest.raises(ValidationError) as info:
        resolve_blob(ref, {}.get, field="x.blob", source="payload.document")
    assert (info.value.field, info.value.source) == ("x.blob", "payload.document")
    assert "not available" in info.value.reason
    with pytest.raises(ValidationError, match="not available"):
        resolve_blob(ref, None, field="x.blob")
    with pytest.raises(ValidationError, match="is 4 bytes, the reference says 3"):
        resolve_blob(ref, lambda _: b"abcd", field="x.blob")


@pytest.mark.parametrize(
    ("ref", "field"),
    [
        ("abc", "r"),
        ({"sha256": "a" * 64}, "r"),
        ({"sha256": "a" * 64, "size": 1, "url": "x"}, "r"),
        ({"sha256": "A" * 64, "size": 1}, "r.sha256"),
        ({"sha256": "a" * 63, "size": 1}, "r.sha256"),
        ({"sha256": "a" * 64, "size": -1}, "r.size"),
        ({"sha256": "a" * 64, "size": True}, "r.size"),
        ({"sha256": "a" * 64, "size": MAX_BLOB_BYTES + 1}, "r.size"),
    ],
)
def test_malformed_references(ref: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_blob_ref(ref, field="r")
    assert info.value.field == field


def test_check_blobs_sorts_and_checks() -> None:
    a, b = b"a", b"b"
    blobs = {hashlib.sha256(x).hexdigest(): x for x in (b, a)}
    assert check_blobs(blobs) == sorted(blobs.items())
    key = hashlib.sha256(a).hexdigest()
    with pytest.raises(ValidationError) as info:
        check_blobs({key: "a"})  # type: ignore[dict-item]
    assert info.value.field == f"blobs[{key!r}]"
    assert "must be bytes" in info.value.reason
    with pytest.raises(ValidationError) as info:
        check_blobs([(key, a)])  # type: ignore[arg-type]
    assert info.value.field == "blobs"


def test_blob_size_limit() -> None:
    with pytest.raises(ValidationError, match="limit"):
        Blob.of(bytes(MAX_BLOB_BYTES + 1))
