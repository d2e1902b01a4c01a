"""Test helpers: build, sign and publish tlog-tiles logs; serve a directory over HTTP."""

from __future__ import annotations

import functools
import http.server
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truce.ledger import MemoryTree, leaf_hash
from truce.ledger.checkpoint import Checkpoint, sign_checkpoint
from truce.ledger.note import Signer
from truce.publish import tlog

ORIGIN = "example.org/truce-test-log"
SIGNER = Signer(ORIGIN, bytes(range(32)))
OTHER_SIGNER = Signer("example.org/someone-else", bytes(range(1, 33)))


def random_entries(n: int, seed: int = 0, max_len: int = 120) -> list[bytes]:
    """``n`` reproducible random entries of 0..max_len bytes."""
    rng = random.Random(seed)
    return [rng.randbytes(rng.randrange(max_len + 1)) for _ in range(n)]


@dataclass
class Log:
    """A log under construction: its entries, tree and the notes it signed, by size."""

    entries: list[bytes] = field(default_factory=list)
    tree: MemoryTree = field(default_factory=MemoryTree)
    notes: dict[int, bytes] = field(default_factory=dict)
    signer: Signer = SIGNER

    def append(self, entries: list[bytes]) -> None:
        self.entries.extend(entries)
        self.tree.extend(leaf_hash(e) for e in entries)

    def sign(self, size: int | None = None) -> bytes:
        size = self.tree.size if size is None else size
        note = sign_checkpoint(Checkpoint(ORIGIN, size, self.tree.root(size)), self.signer)
        self.notes[size] = note
        return note

    def publish(self, directory: Path, size: int | None = None) -> tlog.PublishReport:
        size = self.tree.size if size is None else size
        return tlog.publish(
            directory,
            size=size,
            get_node=self.tree.get_node,
            get_entries=lambda lo, hi: self.entries[lo:hi],
            checkpoint=self.sign(size),
        )


def build_log(n: int, seed: int = 0) -> Log:
    log = Log()
    log.append(random_entries(n, seed))
    return log


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (ephemeral port) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
