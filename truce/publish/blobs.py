"""Publish the blobs records reference beside the log, at ``blob/<sha256>``.

An agreement record names each geography layer by the SHA-256 of its GeoJSON
(:mod:`truce.blobs`); a party auditing the log fetches ``blob/<sha256>`` from
the published directory and hashes it (:class:`truce.verify.EntryAuditor`).
Blobs are written before the checkpoint that covers the records citing them
(the caller publishes the log after this returns), each atomically: a
temporary file, fsynced, renamed into place, the directory fsynced. A blob
already published with the right bytes is left alone; one whose bytes do not
hash to its name (damaged) is replaced.

Example::

    publish_blobs("public/log", [(sha, lambda: store.get_blob(sha)) for sha, _ in index])
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from truce.errors import StorageError, ValidationError
from truce.ledger.tiles import TileError, blob_path
from truce.publish.tlog import _Batch, _fsync_dir

__all__ = ["publish_blobs"]


def publish_blobs(
    directory: str | os.PathLike[str], blobs: Iterable[tuple[str, Callable[[], bytes]]]
) -> int:
    """Make each ``(sha256, read)`` blob present at ``blob/<sha256>``; return how many were written.

    ``read()`` is called only for a blob that must be written, and its bytes
    must hash to ``sha256`` (else ValidationError, nothing written for it).
    StorageError if the file system fails.
    """
    root = Path(directory)
    batch = _Batch()
    written = 0
    try:
        for sha, read in blobs:
            try:
                path = root / blob_path(sha)
            except TileError as exc:
                raise ValidationError(str(exc), field="blobs") from None
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha:
                continue
            data = read()
            if hashlib.sha256(data).hexdigest() != sha:
                raise ValidationError(f"the bytes read do not hash to {sha}", field="blobs")
            path.parent.mkdir(parents=True, exist_ok=True)
            batch.add(path, data)
            written += 1
        batch.flush()
        for d in sorted(batch.dirs):
            _fsync_dir(d)
    except OSError as exc:
        batch.abort()
        raise StorageError(f"cannot publish blobs in {root}: {exc}") from exc
    except BaseException:
        batch.abort()
        raise
    return written
