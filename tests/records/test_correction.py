from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Correction, parse_record

from ._examples import DELETE, H1, assert_rejected, changed, correction, round_trip
from ._strategies import corrections


def test_replaced_and_withdrawn() -> None:
    replaced = parse_record(correction())
    assert isinstance(replaced, Correction)
    assert not replaced.withdrawn
    withdrawn = parse_record(correction(replacement=DELETE))
    assert isinstance(withdrawn, Correction)
    assert withdrawn.withdrawn
    assert withdrawn.replacement is None


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("replacement", H1, "must differ"),
        ("supersedes", DELETE, "required"),
        ("supersedes", H1[:-1], "pattern"),
        ("reason", DELETE, "required"),
        ("reason", "  ", "blank"),
        ("reason", "r" * 10_001, "at most 10000"),
    ],
)
def test_correction_constraints(path: str, value: Any, reason: str) -> None:
    assert_rejected(changed(correction(), path, value), path, reason)


@given(corrections())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
