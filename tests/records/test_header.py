from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from truce.records import parse_record, to_payload_dict

from ._examples import DELETE, VALID, assert_rejected, changed


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_type_carries_the_header(kind: str) -> None:
    record = parse_record(VALID[kind](signed_at="2025-03-20T07:00:00+02:00"))
    assert record.mission == "smm-east"
    assert record.signed_at == datetime(2025, 3, 20, 5, tzinfo=UTC)
    assert record.synthetic is False
    assert to_payload_dict(record)["signed_at"] == "2025-03-20T05:00:00Z"


def test_synthetic_records_say_so_twice() -> None:
    record = parse_record(VALID["evidence"](synthetic=True, source="synthetic"))
    assert record.synthetic
    assert record.source == "synthetic"


@pytest.mark.parametrize("kind", sorted(VALID))
@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("mission", "SMM", "pattern"),
        ("mission", "x", "pattern"),
        ("mission", "-smm", "pattern"),
        ("mission", "m" * 64, "pattern"),
        ("mission", DELETE, "required"),
        ("signed_at", "2025-03-20T05:00:00", "timezone"),
        ("signed_at", DELETE, "required"),
        ("synthetic", "true", "boolean"),
        ("synthetic", 1, "boolean"),
        ("source", "s" * 65, "at most 64"),
        ("source", "", "at least 1"),
        ("note", "n" * 4001, "at most 4000"),
        ("note", " \n", "blank"),
        ("signature", "abc", "extra"),
    ],
)
def test_header_constraints(kind: str, path: str, value: Any, reason: str) -> None:
    assert_rejected(changed(VALID[kind](), path, value), path, reason)


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ({"synthetic": True}, "source"),
        ({"synthetic": True, "source": "ucdp"}, "source"),
        ({"source": "synthetic"}, "synthetic"),
        ({"synthetic": False, "source": "synthetic"}, "synthetic"),
    ],
)
def test_synthetic_label_rule(extra: dict[str, Any], path: str) -> None:
    assert_rejected(VALID["observation"](**extra), path, "synthetic")


def test_note_at_the_limit_is_accepted() -> None:
    assert parse_record(VALID["key"](note="n" * 4000)).note == "n" * 4000
