"""The store conformance suite: every driver of :class:`truce.store.Store` must pass it.

A driver's test module subclasses :class:`StoreConformance` and provides a
``store_factory`` fixture: a callable ``make_store(path) -> Store`` that opens
(creating it if needed) the store kept under the directory ``path``. Calling
it twice with the same ``path`` MUST reopen the same store (the durability
tests rely on it); the fixture closes what it opened at teardown::

    class TestSqlite(StoreConformance):
        @pytest.fixture
        def store_factory(self): ...
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.errors import AuthError, Conflict, NotFound, StorageError, ValidationError
from truce.store import Assessment, KeyState, NewRecord, Store, StoredRecord

from ._samples import KEY_A, KEY_B, T0, enrol, key_record, key_state, make_record

__all__ = ["StoreConformance", "StoreFactory"]

StoreFactory = Callable[[Path], Store]


def _same(stored: StoredRecord, new: NewRecord) -> bool:
    """True if ``stored`` holds every field of ``new`` unchanged (reveals are kept apart)."""
    return all(
        getattr(stored, f.name) == getattr(new, f.name)
        for f in dataclasses.fields(new)
        if f.name != "reveals"
    )


def _colliding_pair(digits: int) -> tuple[int, int]:
    """Two record numbers whose ids share their first ``digits`` hex characters."""
    seen: dict[str, int] = {}
    n = 0
    while True:
        prefix = make_record(n).record_id[:digits]
        if prefix in seen:
            return seen[prefix], n
        seen[prefix] = n
        n += 1


class StoreConformance:
    """The contract, test by test. Subclass it and provide ``store_factory``."""

    @pytest.fixture
    def store(self, store_factory: StoreFactory, tmp_path: Path) -> Store:
        return store_factory(tmp_path)

    def test_reveals_are_kept_with_the_record_and_out_of_the_log(self, store: Store) -> None:
        enrol(store, KEY_A, 0)
        secret = ("observed_by.monitor", '"m-107"', "c2VjcmV0")
        plain = make_record(1)
        sealed = dataclasses.replace(
            make_record(2), reveals=(secret, ("description", '"x"', "cw=="))
        )
        store.append([plain, sealed])
        assert store.reveals(plain.record_id) == []
        assert store.reveals(sealed.record_id) == [("description", '"x"', "cw=="), secret]
        for entry in store.entries(0, store.size()):
            assert b"m-107" not in entry
        # A batch whose record fails stores none of its reveals.
        again = dataclasses.replace(make_record(3), reveals=(secret,))
        with pytest.raises(Conflict):
            store.append([again, sealed])
        assert store.reveals(again.record_id) == []

    # -- basics ---------------------------------------------------------------

    def test_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)
        assert isinstance(store.layout_version, int)
        assert store.layout_version >= 1

    def test_empty_store(self, store: Store) -> None:
        assert store.size() == 0
        assert store.counts() == {}
        assert store.synthetic_count() == 0
        assert store.keys() == []
        assert list(store.scan()) == []
        assert store.entries(0, 0) == []
        assert store.check() == []

    def test_append_and_get_round_trip(self, store: Store) -> None:
        records = [make_record(i, subject=f"s{i}", synthetic=i % 2 == 0) for i in range(5)]
        assert store.append(records) == [0, 1, 2, 3, 4]
        for seq, new in enumerate(records):
            by_id = store.get(new.record_id)
            assert by_id == store.get_seq(seq)
            assert by_id.seq == seq
            assert _same(by_id, new)
            assert len(by_id.accepted_at) == 20
            assert by_id.accepted_at.endswith("Z")
        assert store.size() == 5

    def test_round_trip_of_arbitrary_records(self, store: Store) -> None:
        seen: set[str] = set()

        @settings(max_examples=60, deadline=None)
        @given(
            payload=st.binary(min_size=1, max_size=2000),
            entry=st.binary(min_size=1, max_size=200),
            kind=st.from_regex(r"[a-z][a-z0-9_.-]{0,20}", fullmatch=True),
            subject=st.none() | st.text(min_size=1, max_size=40),
            event=st.none()
            | st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1)).map(
                lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
            ),
            synthetic=st.booleans(),
        )
        def run(
            payload: bytes,
            entry: bytes,
            kind: str,
            subject: str | None,
            event: str | None,
            synthetic: bool,
        ) -> None:
            new = NewRecord(
                record_id=hashlib.sha256(payload).hexdigest(),
                kind=kind,
                keyid=KEY_B,
                payload=payload,
                entry=entry,
                signed_at=T0,
                event_time=event,
                subject=subject,
                synthetic=synthetic,
            )
            if new.record_id in seen:
                with pytest.raises(Conflict):
                    store.append([new])
                return
            size = store.size()
            assert store.append([new]) == [size]
            seen.add(new.record_id)
            assert _same(store.get(new.record_id), new)
            assert store.get_seq(size).record_id == new.record_id

        run()
        assert store.size() == len(seen)

    def test_times_are_stored_normalised(self, store: Store) -> None:
        payload = b"{}"
        new = NewRecord(
            record_id=hashlib.sha256(payload).hexdigest(),
            kind="observation",
            keyid=KEY_A,
            payload=payload,
            entry=payload,
            signed_at="2025-03-20T04:15:00.999+00:00",
            event_time="2025-03-20T04:10:07.5Z",
            subject=None,
            synthetic=False,
        )
        store.append([new])
        got = store.get_seq(0)
        assert (got.signed_at, got.event_time) == ("2025-03-20T04:15:00Z", "2025-03-20T04:10:07Z")

    def test_empty_batch_is_a_no_op(self, store: Store) -> None:
        assert store.append([]) == []
        assert store.size() == 0

    def test_key_updates_need_records(self, store: Store) -> None:
        with pytest.raises(ValidationError) as info:
            store.append([], key_updates=[key_state(KEY_B, 0, 0)])
        assert info.value.field == "key_updates"
        assert store.keys() == []

    def test_append_rejects_wrong_types(self, store: Store) -> None:
        with pytest.raises(ValidationError) as info:
            store.append([make_record(0), "not a record"])  # type: ignore[list-item]
        assert info.value.field == "records[1]"
        with pytest.raises(ValidationError):
            store.append([make_record(0)], require_active=KEY_A)  # a str, not a collection
        with pytest.raises(ValidationError):
            store.append([make_record(0)], require_active=["not-a-keyid"])
        assert store.size() == 0

    # -- blobs ----------------------------------------------------------------

    def test_blobs_are_stored_with_their_batch(self, store: Store) -> None:
        small, big = b"{}", bytes(range(256)) * 4096  # 1 MiB
        blobs = {hashlib.sha256(b).hexdigest(): b for b in (small, big)}
        store.append([make_record(0)])
        assert store.append([make_record(1), make_record(2)], blobs=blobs) == [1, 2]
        for sha, data in blobs.items():
            assert store.get_blob(sha) == data
        assert store.get_blob("0" * 64) is None
        assert store.blob_index() == sorted((sha, 1) for sha in blobs)
        assert store.blob_index(1) == []
        assert store.blob_index(2) == sorted((sha, 1) for sha in blobs)
        # Content-addressed: the same blob again is kept as it was (first seq).
        store.append([make_record(3)], blobs={hashlib.sha256(small).hexdigest(): small})
        assert (hashlib.sha256(small).hexdigest(), 1) in store.blob_index()
        assert len(store.blob_index()) == 2

    def test_bad_blobs_store_nothing(self, store: Store) -> None:
        good = hashlib.sha256(b"a").hexdigest()
        cases: list[tuple[dict[str, bytes], str]] = [
            ({good: b"b"}, f"blobs[{good!r}]"),  # bytes do not hash to the key
            ({good.upper(): b"a"}, f"blobs[{good.upper()!r}]"),
            ({"sha256:" + good: b"a"}, f"blobs[{'sha256:' + good!r}]"),
        ]
        for blobs, field in cases:
            with pytest.raises(ValidationError) as info:
                store.append([make_record(0)], blobs=blobs)
            assert info.value.field == field
        with pytest.raises(ValidationError) as info:
            store.append([], blobs={good: b"a"})
        assert info.value.field == "blobs"
        assert store.size() == 0
        assert store.get_blob(good) is None
        assert store.blob_index() == []

    def test_blobs_roll_back_with_the_batch(self, store: Store) -> None:
        store.append([make_record(0)])
        sha = hashlib.sha256(b"geo").hexdigest()
        with pytest.raises(Conflict):
            store.append([make_record(1), make_record(0)], blobs={sha: b"geo"})
        assert store.get_blob(sha) is None
        assert store.blob_index() == []

    # -- compliance assessments (derived data) -------------------------------

    def test_assessments_are_replaced_from_a_seq(self, store: Store) -> None:
        store.append([make_record(i) for i in range(3)])

        def rows(seqs: list[int], status: str = "breach") -> list[Assessment]:
            return [
                Assessment(
                    record_id=make_record(i).record_id,
                    seq=i,
                    agreement_id="a",
                    version=1,
                    term_id=term,
                    list_id=list_id,
                    status=status,
                    event_day="2025-03-20",
                    region="Donetsk",
                    explanation='{"distance_m":12.5}',
                )
                for i in seqs
                for term, list_id in (("t.one", ""), ("t.two", "list-A"))
            ]

        store.replace_assessments(rows([0, 1, 2]), since_seq=0, evaluated_to=3)
        assert store.get_meta("compliance_seq") == "3"
        assert len(store.assessments()) == 6
        assert [a.seq for a in store.assessments(term_id="t.two")] == [0, 1, 2]
        assert store.assessments(list_id="list-A", limit=1)[0].seq == 0
        # From seq 2 on: the rows of records 0 and 1 stay, record 2's are replaced.
        store.replace_assessments(rows([2], "no_breach"), since_seq=2, evaluated_to=3)
        assert [a.status for a in store.assessments(record_id=make_record(2).record_id)] == [
            "no_breach",
            "no_breach",
        ]
        assert len(store.assessments(status="breach")) == 4
        # A row before since_seq is refused and nothing changes.
        with pytest.raises(ValidationError):
            store.replace_assessments(rows([0]), since_seq=1, evaluated_to=3)
        assert len(store.assessments()) == 6
        with pytest.raises(ValidationError):
            store.assessments(status="maybe")
        with pytest.raises(ValidationError) as info:
            rows([0], "maybe")
        assert info.value.field == "status"

    # -- the log: gap-free, ordered, atomic ------------------------------------

    def test_seqs_are_gap_free_across_many_batches(self, store: Store) -> None:
        rng = random.Random(7)
        expected: list[NewRecord] = []
        for _ in range(60):
            batch = [make_record(len(expected) + i) for i in range(rng.choice([1, 1, 2, 3, 17]))]
            seqs = store.append(batch)
            assert seqs == list(range(len(expected), len(expected) + len(batch)))
            expected.extend(batch)
        assert store.size() == len(expected)
        assert store.entries(0, len(expected)) == [r.entry for r in expected]
        assert [r.seq for r in store.scan()] == list(range(len(expected)))
        assert store.check() == []

    def test_duplicate_of_a_stored_record_stores_nothing(self, store: Store) -> None:
        store.append([make_record(0), make_record(1)])
        batch = [make_record(2), make_record(1), make_record(3)]
        with pytest.raises(Conflict) as info:
            store.append(batch)
        assert info.value.existing == {"record_id": make_record(1).record_id, "seq": 1}
        assert make_record(1).record_id in info.value.message
        assert store.size() == 2
        for absent in (make_record(2), make_record(3)):
            with pytest.raises(NotFound):
                store.get(absent.record_id)
        assert store.append([make_record(2)]) == [2]  # no seq was consumed

    def test_repeat_within_a_batch_stores_nothing(self, store: Store) -> None:
        with pytest.raises(Conflict) as info:
            store.append([make_record(0), make_record(1), make_record(0)])
        assert info.value.existing["record_id"] == make_record(0).record_id
        assert info.value.existing["batch_index"] == [0, 2]
        assert store.size() == 0

    def test_require_active_refuses_unknown_and_revoked_keys(self, store: Store) -> None:
        with pytest.raises(AuthError) as info:
            store.append([make_record(0, keyid=KEY_B)], require_active=[KEY_B])
        assert info.value.keyid == KEY_B
        assert store.size() == 0
        seq = enrol(store, KEY_B, 100)
        assert store.append([make_record(0, keyid=KEY_B)], require_active={KEY_B}) == [seq + 1]
        revoke = store.size()
        store.append(
            [key_record(101, KEY_B)], key_updates=[key_state(KEY_B, seq, revoke, "revoked")]
        )
        with pytest.raises(AuthError) as info:
            store.append([make_record(1, keyid=KEY_B), make_record(2)], require_active=[KEY_B])
        assert info.value.keyid == KEY_B
        assert store.size() == revoke + 1

    def test_require_active_sees_the_keys_before_the_batch(self, store: Store) -> None:
        enrol(store, KEY_B, 100)
        # a rotation record signed by KEY_B retires KEY_B and enrols KEY_A
        seq = store.size()
        store.append(
            [key_record(101, KEY_A)],
            key_updates=[key_state(KEY_B, 0, seq, "retired"), key_state(KEY_A, seq, seq)],
            require_active=[KEY_B],
        )
        assert store.key(KEY_B).status == "retired"
        assert store.key(KEY_A).status == "active"

    def test_key_updates_roll_back_with_the_batch(self, store: Store) -> None:
        store.append([make_record(0)])
        with pytest.raises(Conflict):
            store.append(
                [key_record(1, KEY_B), make_record(0)], key_updates=[key_state(KEY_B, 1, 1)]
            )
        with pytest.raises(NotFound):
            store.key(KEY_B)
        with pytest.raises(AuthError):
            store.append(
                [key_record(1, KEY_B)],
                key_updates=[key_state(KEY_B, 1, 1)],
                require_active=[KEY_A],
            )
        assert store.keys() == []
        assert store.size() == 1

    # -- keys -----------------------------------------------------------------

    def test_key_upserts_and_status(self, store: Store) -> None:
        store.append([make_record(0)])
        b = enrol(store, KEY_B, 100)
        a = enrol(store, KEY_A, 101)
        states = store.keys()
        assert [k.keyid for k in states] == [KEY_B, KEY_A]  # by enrolled_seq
        assert store.key(KEY_B) == key_state(KEY_B, b, b)
        changed = store.size()
        store.append(
            [make_record(1), key_record(102, KEY_B)],
            key_updates=[key_state(KEY_B, b, changed + 1, "revoked")],
        )
        state = store.key(KEY_B)
        assert (state.status, state.enrolled_seq, state.changed_seq) == ("revoked", b, changed + 1)
        assert store.key(KEY_A).status == "active"
        assert store.key(KEY_A).enrolled_seq == a
        with pytest.raises(NotFound):
            store.key("c" * 32)

    def test_key_enrolled_and_revoked_in_one_batch(self, store: Store) -> None:
        store.append(
            [key_record(0, KEY_B), key_record(1, KEY_B)],
            key_updates=[key_state(KEY_B, 0, 0), key_state(KEY_B, 0, 1, "revoked")],
        )
        assert store.key(KEY_B) == key_state(KEY_B, 0, 1, "revoked")

    def test_key_status_never_moves_back(self, store: Store) -> None:
        b = enrol(store, KEY_B, 100)
        seq = store.size()
        store.append([key_record(101, KEY_B)], key_updates=[key_state(KEY_B, b, seq, "revoked")])
        for status in ("active", "retired"):
            seq = store.size()
            with pytest.raises(Conflict):
                store.append(
                    [key_record(seq + 200, KEY_B)], key_updates=[key_state(KEY_B, b, seq, status)]
                )
        assert store.key(KEY_B).status == "revoked"
        assert store.size() == 2

    def test_key_update_rules(self, store: Store) -> None:
        b = enrol(store, KEY_B, 100)
        seq = store.size()
        cases: list[tuple[KeyState, type[Exception]]] = [
            (key_state(KEY_B, b, seq - 1), Conflict),  # before the batch: the log moved
            (key_state(KEY_B, b, seq + 1), ValidationError),  # after the batch
            (key_state(KEY_A, seq - 1, seq), Conflict),  # new key enrolled before the batch
            (key_state(KEY_B, seq, seq), ValidationError),  # enrolment seq changed
            (
                KeyState(KEY_B, b"\x01" * 32, "monitor", "m", None, "active", b, seq),
                ValidationError,  # public key changed
            ),
        ]
        for update, error in cases:
            with pytest.raises(error):
                store.append([key_record(seq + 300, KEY_B)], key_updates=[update])
        assert store.size() == seq
        assert store.key(KEY_B) == key_state(KEY_B, b, b)
        with pytest.raises(NotFound):
            store.key(KEY_A)

    # -- lookups ----------------------------------------------------------------

    def test_get_errors(self, store: Store) -> None:
        store.append([make_record(0)])
        with pytest.raises(NotFound):
            store.get(make_record(1).record_id)
        with pytest.raises(ValidationError):
            store.get("abc")
        with pytest.raises(NotFound):
            store.get_seq(1)
        with pytest.raises(ValidationError):
            store.get_seq(-1)

    def test_resolve(self, store: Store) -> None:
        records = [make_record(i) for i in range(12)]
        store.append(records)
        rid = records[7].record_id
        assert store.resolve(rid).seq == 7
        assert store.resolve(rid[:6]).seq == 7
        assert store.resolve(rid[:9].upper()).seq == 7
        assert store.resolve(f"  {rid[:10]} ").seq == 7
        assert store.resolve("#7").record_id == rid
        assert store.resolve("7").record_id == rid
        assert store.resolve("#11").seq == 11
        with pytest.raises(NotFound):
            store.resolve("#12")
        with pytest.raises(NotFound):
            store.resolve(
                next(
                    p
                    for p in ("ffffff", "eeeeee", "dddddd")
                    if not any(r.record_id.startswith(p) for r in records)
                )
            )
        for bad in ("abc12", "xyz123", "#", "#-1", "", rid + "0"):
            with pytest.raises(ValidationError) as info:
                store.resolve(bad)
            assert info.value.field == "ref"

    def test_resolve_ambiguous_prefix(self, store: Store) -> None:
        first, second = _colliding_pair(6)
        store.append([make_record(first), make_record(second)])
        prefix = make_record(first).record_id[:6]
        with pytest.raises(ValidationError) as info:
            store.resolve(prefix)
        assert info.value.field == "ref"
        assert "2 records" in info.value.message
        longer = make_record(second).record_id
        assert store.resolve(longer[: len(prefix) + 8]).record_id == longer

    # -- scan -------------------------------------------------------------------

    def _fill(self, store: Store) -> list[NewRecord]:
        records = []
        for i in range(30):
            kind = ("observation", "allegation", "finding")[i % 3]
            keyid = KEY_A if i % 2 else KEY_B
            event = None if i % 5 == 4 else f"2025-03-{1 + i:02d}T12:00:00Z"
            subject = f"subject-{i % 4}" if i % 3 else None
            records.append(
                make_record(
                    i,
                    kind=kind,
                    keyid=keyid,
                    subject=subject,
                    event_time=event,
                    synthetic=i % 7 == 0,
                )
            )
        store.append(records)
        return records

    def test_scan_filters(self, store: Store) -> None:
        records = self._fill(store)

        def seqs(**kwargs: object) -> list[int]:
            return [r.seq for r in store.scan(**kwargs)]  # type: ignore[arg-type]

        def expect(pred: Callable[[int, NewRecord], bool]) -> list[int]:
            return [i for i, r in enumerate(records) if pred(i, r)]

        assert seqs() == list(range(30))
        assert seqs(kinds=["finding"]) == expect(lambda i, r: r.kind == "finding")
        assert seqs(kinds={"finding", "allegation"}) == expect(lambda i, r: r.kind != "observation")
        assert seqs(kinds=[]) == []
        assert seqs(kinds=["nothing"]) == []
        assert seqs(since_seq=25) == [25, 26, 27, 28, 29]
        assert seqs(since_seq=3, until_seq=6) == [3, 4, 5]
        assert seqs(until_seq=1000) == list(range(30))
        assert seqs(since_seq=40) == []
        assert seqs(subject="subject-1") == expect(lambda i, r: r.subject == "subject-1")
        assert seqs(keyid=KEY_A) == expect(lambda i, r: r.keyid == KEY_A)
        in_window = expect(
            lambda i, r: (
                r.event_time is not None
                and "2025-03-05T12:00:00Z" <= r.event_time < "2025-03-12T12:00:00Z"
            )
        )
        assert seqs(event_from="2025-03-05T12:00:00Z", event_to="2025-03-12T12:00:00Z") == in_window
        assert in_window == [5, 6, 7, 8, 10]  # half-open; records 4 and 9 have no event time
        assert seqs(event_from="2025-03-29T00:00:00Z") == expect(
            lambda i, r: r.event_time is not None and r.event_time >= "2025-03-29T00:00:00Z"
        )
        assert seqs(event_to="2025-03-02T12:00:00Z") == [0]
        assert seqs(limit=4) == [0, 1, 2, 3]
        assert seqs(limit=0) == []
        assert seqs(descending=True) == list(range(29, -1, -1))
        assert seqs(descending=True, limit=3, kinds=["observation"]) == [27, 24, 21]
        combined = seqs(kinds=["allegation"], keyid=KEY_B, since_seq=5, until_seq=29)
        assert combined == expect(
            lambda i, r: r.kind == "allegation" and r.keyid == KEY_B and 5 <= i < 29
        )
        assert combined

    def test_scan_validates_arguments_eagerly(self, store: Store) -> None:
        bad: list[tuple[dict[str, object], str]] = [
            ({"kinds": "observation"}, "kinds"),
            ({"since_seq": -1}, "since_seq"),
            ({"until_seq": "5"}, "until_seq"),
            ({"limit": -1}, "limit"),
            ({"event_from": "yesterday"}, "event_from"),
            ({"event_to": "2025-03-20T04:15:00+02:00"}, "event_to"),
            ({"subject": 3}, "subject"),
            ({"descending": "yes"}, "descending"),
        ]
        for kwargs, field in bad:
            with pytest.raises(ValidationError) as info:
                store.scan(**kwargs)  # type: ignore[arg-type]  # no iteration needed
            assert info.value.field == field

    def test_scan_is_a_snapshot(self, store: Store) -> None:
        store.append([make_record(i) for i in range(10)])
        it = store.scan()
        first = next(it)
        store.append([make_record(i) for i in range(10, 15)])
        assert [first.seq] + [r.seq for r in it] == list(range(10))
        assert [r.seq for r in store.scan(descending=True, limit=2)] == [14, 13]

    def test_scan_streams_20k_records(self, store: Store) -> None:
        n = 20_000
        for start in range(0, n, 2000):
            store.append([make_record(i, size=600) for i in range(start, start + 2000)])
        assert store.size() == n
        it = store.scan()
        assert iter(it) is it  # an iterator, not a list
        assert [r.seq for r in store.scan(limit=3)] == [0, 1, 2]
        assert [r.seq for r in store.scan(since_seq=n - 2)] == [n - 2, n - 1]
        total = 0
        tracemalloc.start()
        try:
            count = 0
            for record in store.scan():
                count += 1
                total += len(record.payload) + len(record.entry)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert count == n
        assert total > 30_000_000
        assert peak < total // 8, f"scan held {peak} bytes at once for {total} bytes of records"

    # -- entries, counts --------------------------------------------------------

    def test_entries_ranges(self, store: Store) -> None:
        records = [make_record(i) for i in range(10)]
        store.append(records)
        assert store.entries(0, 10) == [r.entry for r in records]
        assert store.entries(3, 7) == [r.entry for r in records[3:7]]
        assert store.entries(10, 10) == []
        assert store.entries(4, 4) == []
        for start, stop, field in ((-1, 3, "start"), (5, 4, "start"), (0, 11, "stop")):
            with pytest.raises(ValidationError) as info:
                store.entries(start, stop)
            assert info.value.field == field

    def test_counts(self, store: Store) -> None:
        records = self._fill(store)
        expected: dict[str, int] = {}
        for r in records:
            expected[r.kind] = expected.get(r.kind, 0) + 1
        assert store.counts() == expected
        assert store.synthetic_count() == sum(r.synthetic for r in records) == 5

    # -- meta -------------------------------------------------------------------

    def test_meta(self, store: Store) -> None:
        assert store.get_meta("mission_id") is None
        store.set_meta("mission_id", "mission-1")
        store.set_meta("mission_id", "mission-1")  # same value: fine
        with pytest.raises(Conflict) as info:
            store.set_meta("mission_id", "mission-2")
        assert info.value.existing["value"] == "mission-1"
        assert store.get_meta("mission_id") == "mission-1"
        store.set_meta("mission_id", "mission-2", overwrite=True)
        assert store.get_meta("mission_id") == "mission-2"
        with pytest.raises(ValidationError):
            store.set_meta("", "x")
        with pytest.raises(ValidationError):
            store.set_meta("name", 5)  # type: ignore[arg-type]

    # -- durability, lifecycle ------------------------------------------------------

    def test_everything_survives_reopening(
        self, store_factory: StoreFactory, tmp_path: Path
    ) -> None:
        store = store_factory(tmp_path)
        records = [make_record(i, synthetic=True) for i in range(5)]
        store.append(records[:2])
        enrol(store, KEY_B, 100)
        store.append(records[2:])
        store.set_meta("mission_id", "m-1")
        blob = {hashlib.sha256(b"geo").hexdigest(): b"geo"}
        store.append([make_record(50)], blobs=blob)
        size, keys = store.size(), store.keys()
        store.close()
        again = store_factory(tmp_path)
        assert again.size() == size == 7
        assert again.get_blob(*blob) == b"geo"
        assert again.keys() == keys
        assert again.get_meta("mission_id") == "m-1"
        assert [r.record_id for r in again.scan(kinds=["observation"])] == [
            r.record_id for r in [*records, make_record(50)]
        ]
        assert again.append([make_record(99)]) == [7]
        assert again.check() == []

    def test_close(self, store_factory: StoreFactory, tmp_path: Path) -> None:
        store = store_factory(tmp_path)
        store.append([make_record(0)])
        store.close()
        store.close()  # idempotent
        with pytest.raises(StorageError):
            store.size()
        with pytest.raises(StorageError):
            store.append([make_record(1)])
        with pytest.raises(StorageError):
            store.check()
        with store_factory(tmp_path) as again:
            assert again.size() == 1
        with pytest.raises(StorageError):
            again.get_seq(0)

    def test_check_is_clean_after_use(self, store: Store) -> None:
        self._fill(store)
        enrol(store, KEY_B, 100)
        assert store.check() == []

    # -- the Merkle tree and its checkpoints ----------------------------------

    def test_integrate_stores_nodes_and_checkpoints_that_only_grow(self, store: Store) -> None:
        assert store.tree_size() == 0
        with pytest.raises(NotFound):
            store.checkpoint()
        store.append([make_record(i) for i in range(4)])
        h = [bytes([i]) * 32 for i in range(8)]
        nodes = [(0, 0, h[0]), (0, 1, h[1]), (1, 0, h[2])]
        store.integrate(nodes, size=2, root=h[2], note=b"note 2\n", signed_at=T0)
        assert store.tree_size() == 2
        assert store.checkpoint() == (2, h[2], b"note 2\n")
        assert store.tree_nodes([(0, 0), (1, 0), (0, 5)]) == {(0, 0): h[0], (1, 0): h[2]}
        # Not larger than the latest, beyond the log, or rewriting a node: refused, nothing kept.
        with pytest.raises(Conflict):
            store.integrate([(0, 2, h[3])], size=2, root=h[4], note=b"x", signed_at=T0)
        with pytest.raises(Conflict):
            store.integrate([(0, 2, h[3])], size=5, root=h[4], note=b"x", signed_at=T0)
        with pytest.raises(Conflict):
            store.integrate([(0, 0, h[5])], size=3, root=h[4], note=b"x", signed_at=T0)
        assert store.tree_nodes([(0, 2)]) == {}
        assert store.tree_size() == 2
        store.integrate([(0, 2, h[3])], size=3, root=h[4], note=b"note 3\n", signed_at=T0)
        assert store.checkpoint(2) == (2, h[2], b"note 2\n")
        assert store.checkpoint()[0] == 3
        with pytest.raises(NotFound):
            store.checkpoint(1)

    def test_tree_nodes_many_keys(self, store: Store) -> None:
        store.append([make_record(i) for i in range(1)])
        nodes = [(0, i, hashlib.sha256(bytes([i % 256, i // 256])).digest()) for i in range(1000)]
        store.append([make_record(i) for i in range(1, 1000)])
        store.integrate(nodes, size=1000, root=nodes[0][2], note=b"n\n", signed_at=T0)
        got = store.tree_nodes([(0, i) for i in range(0, 1000, 3)])
        assert got == {(0, i): nodes[i][2] for i in range(0, 1000, 3)}
