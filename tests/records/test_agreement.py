from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from truce.errors import ValidationError
from truce.records import AgreementVersion, parse_record, to_payload_dict

from ._examples import agreement, assert_rejected, changed, round_trip
from ._strategies import agreements


def test_valid_example_keeps_the_document_as_is() -> None:
    record = parse_record(agreement())
    assert isinstance(record, AgreementVersion)
    assert record.label == "energy-moratorium@2"
    # nulls inside the document survive serialisation (only record fields drop None)
    assert to_payload_dict(record)["document"]["terms"][0]["note"] is None


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("document.id", "other", "must equal agreement_id"),
        ("document.version", 3, "must equal version 2"),
        ("document.version", "2", "must equal version 2"),
        ("document.version", 2.0, "must equal version 2"),
        ("version", 0, "greater than or equal to 1"),
        ("agreement_id", "Energy", "pattern"),
        ("document", [], "object"),
    ],
)
def test_agreement_constraints(path: str, value: Any, reason: str) -> None:
    assert_rejected(changed(agreement(), path, value), path, reason)


def test_missing_id_and_version_in_document() -> None:
    payload = agreement()
    payload["document"] = {"terms": []}
    assert_rejected(payload, "document.id", "must equal")
    assert_rejected(payload, "document.version", "must equal")


def test_bool_version_is_not_an_int() -> None:
    assert_rejected(changed(agreement(version=1), "document.version", True), "document.version")


def test_non_finite_numbers_and_non_ascii_keys_are_located() -> None:
    text = json.dumps(agreement()).replace('"radius_km": 1.5', '"radius_km": NaN, "r\\u00e9f": 1')
    with pytest.raises(ValidationError) as info:
        parse_record(text)
    fields = {e.field: e.reason for e in info.value.errors}
    assert fields["document.terms[0].radius_km"] == "numbers must be finite"
    assert fields["document.terms[0].réf"] == "object keys must be ASCII"


@given(agreements())
def test_round_trip(payload: dict[str, Any]) -> None:
    round_trip(payload)
