"""Publishing blobs beside the log: written once, atomically, checked, repaired."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from truce.errors import StorageError, ValidationError
from truce.publish.blobs import publish_blobs


def item(data: bytes, calls: list[str] | None = None) -> tuple[str, Callable[[], bytes]]:
    sha = hashlib.sha256(data).hexdigest()

    def read() -> bytes:
        if calls is not None:
            calls.append(sha)
        return data

    return sha, read


def test_written_once_and_left_alone(tmp_path: Path) -> None:
    calls: list[str] = []
    blobs = [item(b"zones", calls), item(b"sites" * 1000, calls)]
    assert publish_blobs(tmp_path, blobs) == 2
    for sha, read in blobs:
        assert (tmp_path / "blob" / sha).read_bytes() == read()
    calls.clear()
    assert publish_blobs(tmp_path, blobs) == 0
    assert calls == []  # present and correct: not even read
    assert not list((tmp_path / "blob").glob(".*.tmp"))


def test_damaged_blob_is_replaced(tmp_path: Path) -> None:
    sha, read = item(b"geography")
    publish_blobs(tmp_path, [(sha, read)])
    (tmp_path / "blob" / sha).write_bytes(b"damaged")
    assert publish_blobs(tmp_path, [(sha, read)]) == 1
    assert (tmp_path / "blob" / sha).read_bytes() == b"geography"


def test_wrong_bytes_or_names_are_refused(tmp_path: Path) -> None:
    sha, _ = item(b"a")
    with pytest.raises(ValidationError, match="do not hash"):
        publish_blobs(tmp_path, [(sha, lambda: b"b")])
    assert not (tmp_path / "blob" / sha).exists()
    with pytest.raises(ValidationError) as info:
        publish_blobs(tmp_path, [("not-a-hash", lambda: b"a")])
    assert info.value.field == "blobs"


def test_file_system_failure_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "blob").write_text("a file where the directory should be")
    sha, read = item(b"x")
    with pytest.raises(StorageError, match="cannot publish blobs"):
        publish_blobs(tmp_path, [(sha, read)])
