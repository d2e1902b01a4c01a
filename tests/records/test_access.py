"""access and release: a party's logged read, a report's one release instant."""

from __future__ import annotations

from truce.records import Access, Release, parse_record

from ._examples import DELETE, access, assert_rejected, release, round_trip


def test_round_trips() -> None:
    round_trip(access())
    round_trip(access(reader=DELETE, items=DELETE, action="notifications"))
    round_trip(release())
    assert isinstance(parse_record(access()), Access)
    assert isinstance(parse_record(release()), Release)


def test_access_fields_are_checked() -> None:
    assert_rejected(access(action="write"), "action")
    assert_rejected(access(reader="xyz"), "reader", "pattern")
    assert_rejected(access(items=["a"] * 1001), "items", "at most 1000")


def test_release_fields_are_checked() -> None:
    assert_rejected(release(release_at="2025-03-20T04:59:00Z"), "release_at", "not be before")
    assert_rejected(release(parties=["A"]), "parties", "at least 2")
    assert_rejected(release(parties=["A", "A"]), "parties[1]", "duplicate")
    assert_rejected(release(report="x" * 64), "report", "pattern")
    assert_rejected(release(size=-1), "size")
