from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from truce.records import Attributed, Finding, NotAttributed, parse_record

from ._examples import DELETE, H1, H2, assert_rejected, changed, finding, round_trip
from ._strategies import findings


def test_valid_examples() -> None:
    record = parse_record(finding())
    assert isinstance(record, Finding)
    assert isinstance(record.attribution, Attributed)
    assert record.attribution.party == "B"
    other = parse_record(
        finding(
            allegations=DELETE,
            attribution={"status": "not_attributed", "reason": "standard not met"},
        )
    )
    assert isinstance(other, Finding)
    assert isinstance(other.attribution, NotAttributed)
    assert other.allegations == ()


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        ("observations", [], "allegations", "at least one allegation or observation"),
        ("allegations", [H2, H2], "allegations[1]", "duplicate"),
        ("observations[1]", "B" * 64, "observations[1]", "pattern"),
        ("allegations", [H1] * 1001, "allegations", "at most 1000"),
        ("term", DELETE, "term", "required"),
        ("term.id", "x y", "term.id", "pattern"),
        ("certainty", "likely", "certainty", "input should be"),
        ("outcome", "violation", "outcome", "input should be"),
        ("attribution.basis", DELETE, "attribution.basis", "required"),
        ("attribution.basis", "", "attribution.basis", "blank"),
        ("attribution.party", "b", "attribution.party", "pattern"),
        ("attribution.status", "suspected", "attribution.status", "expected one of"),
        ("attribution.status", DELETE, "attribution.status", "required"),
        (
            "attribution",
            {"status": "not_attributed", "reason": "x", "party": "B"},
            "attribution.party",
            "extra",
        ),
        ("attribution", {"status": "not_attributed"}, "attribution.reason", "required"),
        ("summary", DELETE, "summary", "required"),
        ("summary", "s" * 10_001, "summary", "at most 10000"),
        ("finding_id", "", "finding_id", "at least 1"),
    ],
)
def test_finding_constraints(path: str, value: Any, field: str, reason: str) -> None:
    payload = finding()
    if field == "allegations" and path == "observations":
        payload = finding(allegations=[])
    assert_rejected(changed(payload, path, value), field, reason)


@given(findings())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
