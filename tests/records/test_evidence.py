from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Evidence, parse_record

from ._examples import DELETE, H1, H2, assert_rejected, evidence, round_trip
from ._strategies import evidences


def test_original_and_working_copy() -> None:
    original = parse_record(evidence())
    assert isinstance(original, Evidence)
    assert original.original
    copy = parse_record(evidence(sha256=H2, original=False, derived_from=H1, action="copied"))
    assert isinstance(copy, Evidence)
    assert copy.derived_from == H1
    assert parse_record(evidence(size=2**40)).size == 2**40  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"media_type": "image"}, "media_type", "pattern"),
        ({"media_type": "IMAGE/JPEG"}, "media_type", "pattern"),
        ({"media_type": "image/jpeg; q=1"}, "media_type", "pattern"),
        ({"size": -1}, "size", "greater than or equal to 0"),
        ({"size": 2**40 + 1}, "size", "less than or equal"),
        ({"size": 1.5}, "size", "integer"),
        ({"captured_at": "2025-03-20 04:16"}, "captured_at", "timezone"),
        ({"captured_at": DELETE}, "captured_at", "required"),
        ({"action": "destroyed"}, "action", "input should be"),
        ({"holder": "Maria K."}, "holder", "pattern"),
        ({"original": DELETE}, "original", "required"),
        ({"original": "yes"}, "original", "boolean"),
        ({"derived_from": H2}, "derived_from", "only a working copy"),
        ({"original": False, "derived_from": H1}, "derived_from", "derived from itself"),
        ({"sha256": H1.upper()}, "sha256", "pattern"),
    ],
)
def test_evidence_constraints(changes: dict[str, Any], path: str, reason: str) -> None:
    assert_rejected(evidence(**changes), path, reason)


@given(evidences())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
