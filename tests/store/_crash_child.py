"""The child of the crash test: appends records forever, acknowledging each one on stdout.

Run as ``python _crash_child.py DB SEED``. It prints ``READY`` once the store
is open, then appends batches (mostly single records, some small batches, some
with key changes) and prints ``ACK <seq> <record_id>`` for each record only
after :meth:`append` has returned, flushed at once. Every record's bytes are a
pure function of its seq (:func:`record_for`), so the parent can recompute
them after killing this process.
"""

from __future__ import annotations

import hashlib
import random
import sys

from truce.store import KeyState, NewRecord
from truce.store.sqlite import SqliteStore

__all__ = ["SIGNER", "key_update_for", "keyid_for", "main", "record_for"]

#: The key id every record claims to be signed by.
SIGNER = "5" * 32
_KEY_EVERY = 7  # records with seq % 7 == 3 are key enrolments


def keyid_for(seq: int) -> str:
    """The key id enrolled by the key record at ``seq``."""
    return hashlib.sha256(b"key %d" % seq).hexdigest()[:32]


def record_for(seq: int) -> NewRecord:
    """The record the child appends at ``seq``: the same bytes every time."""
    is_key = seq % _KEY_EVERY == 3
    kind = "key" if is_key else "observation"
    pad = b"p" * (seq * 37 % 500)
    payload = b'{"kind":"%s","seq":%d,"pad":"%s"}' % (kind.encode(), seq, pad)
    digest = hashlib.sha256(payload).hexdigest()
    entry = b'{"payload":"%s","sig":"%s"}' % (payload.hex().encode(), digest[:16].encode())
    return NewRecord(
        record_id=digest,
        kind=kind,
        keyid=SIGNER,
        payload=payload,
        entry=entry,
        signed_at="2025-03-20T04:15:00Z",
        event_time=None if is_key else f"2025-03-{1 + seq % 28:02d}T{seq % 24:02d}:00:00Z",
        subject=keyid_for(seq) if is_key else None,
        synthetic=True,
    )


def key_update_for(seq: int) -> KeyState | None:
    """The key enrolment that goes with the record at ``seq``, if it is a key record."""
    if seq % _KEY_EVERY != 3:
        return None
    keyid = keyid_for(seq)
    return KeyState(
        keyid=keyid,
        public_key=hashlib.sha256(keyid.encode()).digest(),
        role="monitor",
        principal=f"monitor-{seq}",
        party=None,
        status="active",
        enrolled_seq=seq,
        changed_seq=seq,
    )


def main(argv: list[str]) -> int:
    """Append until killed. Exit status 3 if the store ever hands out unexpected seqs."""
    db, seed = argv[1], int(argv[2])
    rng = random.Random(seed)
    store = SqliteStore(db, create=True)
    out = sys.stdout
    out.write("READY\n")
    out.flush()
    while True:
        n = rng.choice((1, 1, 1, 1, 2, 3, 5, 8))
        base = store.size()
        records = [record_for(base + i) for i in range(n)]
        updates = [u for u in (key_update_for(base + i) for i in range(n)) if u is not None]
        seqs = store.append(records, key_updates=updates)
        if seqs != list(range(base, base + n)):
            out.write(f"BAD seqs {seqs} expected from {base}\n")
            out.flush()
            return 3
        out.write("".join(f"ACK {s} {r.record_id}\n" for s, r in zip(seqs, records, strict=True)))
        out.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
