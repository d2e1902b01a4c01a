"""Blobs: bytes a record references by SHA-256 instead of carrying them inline.

A log entry must stay small (C2SP ``tlog-tiles`` entry bundles hold entries of
at most 65,535 bytes), but an agreement version's geography — real oblast
boundaries — is hundreds of kilobytes. So the agreement record carries, for
each geography layer, a reference ``{"blob": {"sha256": HEX, "size": N}}``; the
bytes are stored beside the log in the same transaction as the record and
published next to the tiles at ``blob/HEX``. The record's signature covers the
reference, the reference pins the bytes: a verifier fetches the blob, hashes
it and compares, so the geography is exactly as tamper-evident as the record.

This module owns the reference's shape and the hash check; the store keeps the
bytes (:meth:`truce.store.Store.get_blob`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from truce.errors import ValidationError

__all__ = [
    "MAX_BLOB_BYTES",
    "Blob",
    "BlobLookup",
    "blob_ref",
    "check_blob_ref",
    "check_blobs",
    "resolve_blob",
]

#: Largest blob accepted (the largest GeoJSON file a geography layer may load).
MAX_BLOB_BYTES = 64 * 1024 * 1024

#: ``lookup(sha256_hex)`` returns the blob's bytes, or None when it is not available.
BlobLookup = Callable[[str], bytes | None]

_SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Blob:
    """Bytes and their SHA-256 (lowercase hex)."""

    sha256: str
    data: bytes

    @classmethod
    def of(cls, data: bytes) -> Blob:
        """The blob holding ``data``; ValidationError if larger than :data:`MAX_BLOB_BYTES`."""
        if len(data) > MAX_BLOB_BYTES:
            raise ValidationError(
                f"blob is {len(data)} bytes; the limit is {MAX_BLOB_BYTES}", field="blob"
            )
        return cls(hashlib.sha256(data).hexdigest(), bytes(data))

    def ref(self) -> dict[str, Any]:
        """The reference a record carries: ``{"sha256": ..., "size": ...}``."""
        return {"sha256": self.sha256, "size": len(self.data)}


def blob_ref(data: bytes) -> tuple[dict[str, Any], Blob]:
    """``(reference, blob)`` for ``data``."""
    blob = Blob.of(data)
    return blob.ref(), blob


def check_blob_ref(ref: object, *, field: str, source: str | None = None) -> tuple[str, int]:
    """``(sha256, size)`` of a well-formed reference; ValidationError naming ``field`` otherwise."""
    if not isinstance(ref, Mapping) or set(ref) != {"sha256", "size"}:
        raise ValidationError(
            "a blob reference is an object with exactly 'sha256' and 'size'",
            field=field,
            source=source,
        )
    sha, size = ref["sha256"], ref["size"]
    if not isinstance(sha, str) or not _SHA256_RE.fullmatch(sha):
        raise ValidationError(
            "must be 64 lowercase hex digits", field=f"{field}.sha256", source=source
        )
    if type(size) is not int or not 0 <= size <= MAX_BLOB_BYTES:
        raise ValidationError(
            f"must be an integer from 0 to {MAX_BLOB_BYTES}", field=f"{field}.size", source=source
        )
    return sha, size


def resolve_blob(
    ref: object, lookup: BlobLookup | None, *, field: str, source: str | None = None
) -> bytes:
    """The referenced bytes, checked against the reference's size and SHA-256.

    Raises ValidationError naming ``field`` when the reference is malformed,
    the blob is not available from ``lookup`` or its bytes do not match.
    """
    sha, size = check_blob_ref(ref, field=field, source=source)
    data = None if lookup is None else lookup(sha)
    if data is None:
        raise ValidationError(
            f"blob {sha} is not available (it travels with the record that references it)",
            field=field,
            source=source,
        )
    if len(data) != size:
        raise ValidationError(
            f"blob {sha} is {len(data)} bytes, the reference says {size}",
            field=field,
            source=source,
        )
    if hashlib.sha256(data).hexdigest() != sha:
        raise ValidationError(
            f"the bytes supplied for blob {sha} do not hash to it", field=field, source=source
        )
    return data


def check_blobs(blobs: Mapping[str, bytes]) -> list[tuple[str, bytes]]:
    """``blobs`` as ``(sha256, data)`` pairs sorted by hash.

    ValidationError naming ``blobs['HASH']`` for a key that is not 64
    lowercase hex digits, a value that is not bytes, bytes larger than
    :data:`MAX_BLOB_BYTES` or bytes that do not hash to their key.
    """
    if not isinstance(blobs, Mapping):
        raise ValidationError("must map SHA-256 hex digests to bytes", field="blobs")
    out: list[tuple[str, bytes]] = []
    for sha, data in sorted(blobs.items(), key=lambda item: str(item[0])):
        field = f"blobs[{sha!r:.80}]"
        if not isinstance(sha, str) or not _SHA256_RE.fullmatch(sha):
            raise ValidationError("keys must be 64 lowercase hex digits", field=field)
        if not isinstance(data, bytes):
            raise ValidationError(f"must be bytes, got {type(data).__name__}", field=field)
        if len(data) > MAX_BLOB_BYTES:
            raise ValidationError(f"larger than {MAX_BLOB_BYTES} bytes", field=field)
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValidationError("the bytes do not hash to this SHA-256", field=field)
        out.append((sha, data))
    return out
