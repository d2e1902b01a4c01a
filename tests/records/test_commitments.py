"""Sealed fields: commitments bind value, path and salt; reveals open exactly them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truce.errors import ValidationError
from truce.records import parse_record
from truce.records.commitments import SALT_BYTES, Reveal, commitment, open_fields, seal_fields

from ._examples import DELETE, observation

ZERO = bytes(SALT_BYTES)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def test_known_answer() -> None:
    # SHA-256(salt ‖ JCS({"path": ..., "value": ...})), spelled out by hand.
    jcs = b'{"path":"observed_by.monitor","value":"m-107"}'
    expected = hashlib.sha256(ZERO + jcs).hexdigest()
    assert expected == "54e90fab4e75f5e0be57efc524e3b9beb7bcd45011f7e9b892127ac27f9e398e"
    assert commitment("observed_by.monitor", "m-107", ZERO) == expected


@given(json_values, st.binary(min_size=SALT_BYTES, max_size=SALT_BYTES))
def test_a_commitment_binds_value_path_and_salt(value: Any, salt: bytes) -> None:
    c = commitment("description", value, salt)
    Reveal("description", value, salt).check(c)
    with pytest.raises(ValidationError):
        Reveal("observed_by.team", value, salt).check(c)
    other = bytes([salt[0] ^ 1]) + salt[1:]
    with pytest.raises(ValidationError):
        Reveal("description", value, other).check(c)
    with pytest.raises(ValidationError):
        Reveal("description", [value], salt).check(c)


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_seal_then_open_round_trips(monitor: str, description: str) -> None:
    record = observation(
        sealed=DELETE,
        observed_by={"source": "patrol", "team": "T-3", "monitor": monitor},
        description=description,
    )
    payload, reveals = seal_fields(record, ["observed_by.monitor", "description"])
    assert "monitor" not in payload["observed_by"] and "description" not in payload
    assert sorted(payload["sealed"]) == ["description", "observed_by.monitor"]
    parse_record(payload)  # the signed form is a valid record
    opened = open_fields(payload, reveals)
    assert opened["observed_by"]["monitor"] == monitor
    assert opened["description"] == description
    # Reveals serialise and come back the same.
    assert [Reveal.from_dict(r.to_dict()) for r in reveals] == reveals


def test_random_salts_differ_and_derived_ones_repeat() -> None:
    record = observation(sealed=DELETE, observed_by={"source": "uav", "monitor": "m-1"})
    a, _ = seal_fields(record, ["observed_by.monitor"])
    b, _ = seal_fields(record, ["observed_by.monitor"])
    assert a["sealed"] != b["sealed"]  # an unguessable salt each time
    fixed = seal_fields(record, ["observed_by.monitor"], salt=lambda _: ZERO)[0]
    assert fixed == seal_fields(record, ["observed_by.monitor"], salt=lambda _: ZERO)[0]


def test_bad_input() -> None:
    record = observation(sealed=DELETE)
    with pytest.raises(ValidationError) as exc:
        seal_fields(record, ["observed_by.monitor"])  # there is no monitor to seal
    assert exc.value.field == "observed_by.monitor"
    with pytest.raises(ValidationError) as exc:
        commitment("description", "x", b"short")
    assert exc.value.field == "salt"
    for bad, field in (
        ({"path": "description", "value": 1, "salt": "!!"}, "reveal.salt"),
        ({"path": "description", "value": 1, "salt": "AAAA"}, "reveal.salt"),
        ({"path": "", "value": 1, "salt": "AAAA"}, "reveal.path"),
        ({"path": "description", "salt": "AAAA"}, "reveal.value"),
    ):
        with pytest.raises(ValidationError) as exc:
            Reveal.from_dict(bad)
        assert exc.value.field == field
    payload, _ = seal_fields(
        observation(sealed=DELETE, description="x"), ["description"], salt=lambda _: ZERO
    )
    with pytest.raises(ValidationError):
        open_fields(payload, [Reveal("observed_by.monitor", "m", ZERO)])  # not sealed here
