"""Sample records and key states for the store tests: deterministic, distinct, cheap."""

from __future__ import annotations

import hashlib

from truce.store import KeyState, NewRecord, Store
from truce.store.contract import KeyStatus

__all__ = ["KEY_A", "KEY_B", "T0", "enrol", "key_record", "key_state", "make_record", "public_key"]

KEY_A = "a" * 32
KEY_B = "b" * 32
T0 = "2025-03-20T04:15:00Z"


def make_record(
    n: int,
    *,
    kind: str = "observation",
    keyid: str = KEY_A,
    subject: str | None = None,
    event_time: str | None = T0,
    synthetic: bool = False,
    size: int = 0,
) -> NewRecord:
    """A deterministic record number ``n`` (distinct ``n`` give distinct ids)."""
    payload = b'{"n":%d,"kind":"%s","pad":"%s"}' % (n, kind.encode(), b"x" * size)
    entry = b'{"payload":"%s","signatures":[]}' % payload.hex().encode()
    return NewRecord(
        record_id=hashlib.sha256(payload).hexdigest(),
        kind=kind,
        keyid=keyid,
        payload=payload,
        entry=entry,
        signed_at=T0,
        event_time=event_time,
        subject=subject,
        synthetic=synthetic,
    )


def public_key(keyid: str) -> bytes:
    """A stand-in 32-byte public key for ``keyid`` (the store does not derive ids)."""
    return hashlib.sha256(keyid.encode()).digest()


def key_record(n: int, keyid: str) -> NewRecord:
    """A ``key`` record about ``keyid`` (its subject), signed by KEY_A."""
    return make_record(n, kind="key", subject=keyid, event_time=None)


def key_state(keyid: str, enrolled: int, changed: int, status: KeyStatus = "active") -> KeyState:
    """A KeyState for ``keyid`` with a stand-in public key."""
    return KeyState(
        keyid=keyid,
        public_key=public_key(keyid),
        role="monitor",
        principal=f"monitor-{keyid[:4]}",
        party=None,
        status=status,
        enrolled_seq=enrolled,
        changed_seq=changed,
    )


def enrol(store: Store, keyid: str, n: int) -> int:
    """Enrol ``keyid`` with a key record (record number ``n``); return its seq."""
    seq = store.size()
    assert store.append([key_record(n, keyid)], key_updates=[key_state(keyid, seq, seq)]) == [seq]
    return seq
