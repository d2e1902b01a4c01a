from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Correspondence, parse_record

from ._examples import DELETE, assert_rejected, correspondence, round_trip
from ._strategies import correspondences


def test_valid_example() -> None:
    record = parse_record(correspondence())
    assert isinstance(record, Correspondence)
    assert (record.from_party, record.to_party) == ("A", "B")
    assert record.language == "en-GB"
    bare = parse_record(correspondence(in_reply_to=DELETE, language=DELETE))
    assert isinstance(bare, Correspondence)
    assert bare.in_reply_to is None


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"to_party": "A"}, "to_party", "must differ"),
        ({"from_party": "a"}, "from_party", "pattern"),
        ({"subject": "s" * 301}, "subject", "at most 300"),
        ({"subject": ""}, "subject", "blank"),
        ({"body": DELETE}, "body", "required"),
        ({"body": "b" * 20_001}, "body", "at most 20000"),
        ({"in_reply_to": "1234"}, "in_reply_to", "pattern"),
        ({"language": "english language"}, "language", "pattern"),
        ({"language": "en-" + "-".join(["abcdefgh"] * 4)}, "language", "at most 35"),
        ({"cc": "C"}, "cc", "extra"),
    ],
)
def test_correspondence_constraints(changes: dict[str, Any], path: str, reason: str) -> None:
    assert_rejected(correspondence(**changes), path, reason)


@given(correspondences())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
