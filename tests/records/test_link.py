"""link: an analyst's confirmed match of an observation to an allegation."""

from __future__ import annotations

from truce.records import Link, parse_record

from ._examples import H1, assert_rejected, link, round_trip


def test_round_trip() -> None:
    round_trip(link())
    record = parse_record(link(score=0.75))
    assert isinstance(record, Link) and record.score == 0.75


def test_fields_are_checked() -> None:
    assert_rejected(link(observation=H1), "observation", "must differ from allegation")
    assert_rejected(link(score=1.5), "score", "less than or equal to 1")
    assert_rejected(link(reason=" "), "reason")
    assert_rejected(link(allegation="abc"), "allegation", "pattern")
