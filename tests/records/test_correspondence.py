from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Correspondence, parse_record

from ._examples import (
    BOX,
    DELETE,
    KEY1,
    acknowledgement,
    assert_rejected,
    correspondence,
    correspondence_opener,
    round_trip,
    sealed_correspondence,
)
from ._strategies import correspondences


def test_valid_example() -> None:
    record = parse_record(correspondence())
    assert isinstance(record, Correspondence)
    assert (record.from_party, record.to_party) == ("A", "B")
    assert record.language == "en-GB"
    assert not record.opens_thread
    bare = parse_record(correspondence(in_reply_to=DELETE, language=DELETE))
    assert isinstance(bare, Correspondence)
    assert bare.in_reply_to is None
    opener = parse_record(correspondence_opener())
    assert isinstance(opener, Correspondence) and opener.opens_thread
    sealed = parse_record(sealed_correspondence())
    assert isinstance(sealed, Correspondence) and sealed.body is None and sealed.sealed_body


@pytest.mark.parametrize(
    ("payload", "path", "reason"),
    [
        (correspondence_opener(content=DELETE), "content", "required on the first message"),
        (correspondence(content="public"), "content", "set by the thread's first message"),
        (correspondence_opener(content="parties"), "content", "needs a sealed_body"),
        (sealed_correspondence(content="public"), "content", "needs a plain body"),
        (correspondence_opener(in_reply_to="c" * 64), "in_reply_to", "must name its thread"),
        (sealed_correspondence(body="plain too"), "body", "exactly one of"),
        (correspondence(body=DELETE), "body", "exactly one of"),
        (
            sealed_correspondence(sealed_body=[{"keyid": KEY1, "box": BOX}] * 2),
            "sealed_body[1]",
            "duplicate",
        ),
        (
            sealed_correspondence(sealed_body=[{"keyid": KEY1, "box": BOX}]),
            "sealed_body",
            "at least 2",
        ),
        (
            sealed_correspondence(sealed_body=[{"keyid": KEY1, "box": "short"}] * 2),
            "sealed_body[0].box",
            "at least 64",
        ),
        (correspondence(reply_by="2025-03-20T04:00:00Z"), "reply_by", "after signed_at"),
        (correspondence_opener(content="secret"), "content", "public"),
    ],
)
def test_thread_rules(payload: dict[str, Any], path: str, reason: str) -> None:
    assert_rejected(payload, path, reason)


def test_acknowledgement() -> None:
    round_trip(acknowledgement())
    assert_rejected(acknowledgement(party="b"), "party")
    assert_rejected(acknowledgement(message="x"), "message")


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"to_party": "A"}, "to_party", "must differ"),
        ({"from_party": "a"}, "from_party", "pattern"),
        ({"subject": "s" * 301}, "subject", "at most 300"),
        ({"subject": ""}, "subject", "blank"),
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
