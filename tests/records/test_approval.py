"""approval: an approval opens a reply window; a returned draft says why."""

from __future__ import annotations

from ._examples import approval, assert_rejected, round_trip


def test_round_trip() -> None:
    round_trip(approval())
    round_trip(approval(decision="returned", reply_window_days=None, reason="Cite the footage."))


def test_approving_needs_a_window_of_1_to_90_days() -> None:
    assert_rejected(approval(reply_window_days=None), "reply_window_days", "required")
    assert_rejected(approval(reply_window_days=0), "reply_window_days")
    assert_rejected(approval(reply_window_days=91), "reply_window_days")


def test_returning_needs_a_reason_and_opens_no_window() -> None:
    assert_rejected(approval(decision="returned", reply_window_days=None), "reason", "required")
    assert_rejected(approval(decision="returned", reason="x"), "reply_window_days")
