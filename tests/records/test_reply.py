"""reply: a party's reply to a finding."""

from __future__ import annotations

from ._examples import assert_rejected, reply, round_trip


def test_round_trip() -> None:
    round_trip(reply())


def test_fields_are_checked() -> None:
    assert_rejected(reply(party="a"), "party")
    assert_rejected(reply(body="  "), "body")
    assert_rejected(reply(finding="abc"), "finding")
