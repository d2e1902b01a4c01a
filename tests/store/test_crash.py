"""THE crash test: an acknowledged record survives ``kill -9``; the log stays whole and gap-free.

A child process (``_crash_child.py``) appends to a SQLite store in a loop and
prints ``ACK <seq> <record_id>`` only after ``append`` returned. The parent
kills it with SIGKILL at random moments, 20 times, relaunching a child on the
same database each time. After every kill the store must open cleanly, pass
``check()``, hold every acknowledged record byte for byte, and hold nothing
but complete records (each key record with its key-table row).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from truce.store.sqlite import SqliteStore

from ._crash_child import key_update_for, record_for

__all__: list[str] = []

_CHILD = Path(__file__).with_name("_crash_child.py")
_ROOT = Path(__file__).resolve().parents[2]
_ACK = re.compile(rb"ACK (\d+) ([0-9a-f]{64})\n")
ROUNDS = 20


class _Child:
    """One child process, with a thread draining its stdout so it never blocks on the pipe."""

    def __init__(self, db: Path, seed: int) -> None:
        paths = [str(_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        self.proc = subprocess.Popen(
            [sys.executable, str(_CHILD), str(db), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=_ROOT,
            env=env,
        )
        self.lines: list[bytes] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line == b"READY\n":
                self.ready.set()
            self.lines.append(line)
        self.ready.set()  # the child ended (killed or failed)

    def kill(self) -> tuple[int, bytes]:
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code, err

    def acks(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for line in self.lines:
            match = _ACK.fullmatch(line)  # a line cut by the kill has no newline: skipped
            if match:
                out[int(match.group(1))] = match.group(2).decode()
        return out


def _verify(db: Path, acked: dict[int, str]) -> int:
    """Check the store after a kill; return its size."""
    with SqliteStore(db) as store:
        assert store.check() == []
        size = store.size()
        assert max(acked, default=-1) < size
        states = store.keys()
        keys = {k.keyid: k for k in states}
        seen = 0
        key_records = 0
        for stored in store.scan():
            assert stored.seq == seen  # gap-free, in order
            seen += 1
            expected = record_for(stored.seq)  # acknowledged or not, a record is whole
            assert stored.record_id == expected.record_id
            assert stored.payload == expected.payload
            assert stored.entry == expected.entry
            assert (stored.kind, stored.subject, stored.event_time) == (
                expected.kind,
                expected.subject,
                expected.event_time,
            )
            if stored.seq in acked:
                assert acked[stored.seq] == stored.record_id
            update = key_update_for(stored.seq)
            if update is not None:
                key_records += 1
                assert keys[update.keyid] == update  # committed with its record
        assert seen == size
        assert len(keys) == key_records  # no key row without its record
        assert len(store.entries(0, size)) == size
        return size


@pytest.mark.slow
def test_acknowledged_records_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    rng = random.Random(20250320)
    acked: dict[int, str] = {}
    sizes: list[int] = []
    started = time.monotonic()
    for round_ in range(ROUNDS):
        child = _Child(db, seed=round_)
        if not child.ready.wait(60) or child.proc.poll() is not None:
            code, err = child.kill()
            pytest.fail(f"child did not start (exit {code}): {err.decode(errors='replace')}")
        time.sleep(rng.uniform(0.05, 0.4))
        code, err = child.kill()
        assert code == -signal.SIGKILL, f"child died on its own: {err.decode(errors='replace')}"
        new = child.acks()
        assert not (new.keys() & acked.keys()), "a seq was acknowledged twice"
        acked.update(new)
        sizes.append(_verify(db, acked))
    assert sizes == sorted(sizes)
    assert len(acked) >= ROUNDS, f"too little progress to test anything: {len(acked)} acks"
    assert time.monotonic() - started < 120
